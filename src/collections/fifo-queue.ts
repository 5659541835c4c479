// A first-in first-out queue for structures that hold thousands of entries as calls come and go.

/**
 * Read from a head index and compacted now and then. A Map or Set in insertion order would do, but each pass over
 * one from its start walks every entry deleted since the table was last rebuilt (the call trace's eviction was the
 * costliest part of recording a message so), and Array.shift moves every element.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest entry, left in place (undefined when the queue is empty). */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Takes the oldest entry out (undefined when the queue is empty). */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    // Let the entry go now, not at the next compaction.
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
