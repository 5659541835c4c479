// Numbers of the message model as the ABNF writes them (1*DIGIT). The parser turns any digit run into a number,
// so a port or CSeq can be 1e+21 or Infinity, which String() would write as such: written out in digits instead,
// each parses back to the same number.
export function decimal(n: number): string {
  if (!(n >= 1e21)) return String(n);
  if (n === Number.POSITIVE_INFINITY) return `1${"0".repeat(309)}`;
  return BigInt(n).toString();
}
