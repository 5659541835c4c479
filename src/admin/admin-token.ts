// The admin API's bearer token, wherever it comes from (adminToken in the config, CLEARDOWN_ADMIN_TOKEN): at
// least 16 characters, so it cannot be guessed in a few tries — the API releases calls.

export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** The token and where it came from: the config's, else the environment's. */
export function adminTokenOf(
  configToken: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { token?: string; source: string } {
  if (configToken !== undefined) return { token: configToken, source: "adminToken in the config" };
  return { token: env.CLEARDOWN_ADMIN_TOKEN, source: "CLEARDOWN_ADMIN_TOKEN" };
}

/** One line saying why the token cannot be used, or undefined when it can. */
export function adminTokenProblem(token: string | undefined, source: string): string | undefined {
  if (!token) return "the admin API needs a token: adminToken in the config or CLEARDOWN_ADMIN_TOKEN";
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    return `${source}: the admin token has ${token.length} character${token.length === 1 ? "" : "s"}; at least ${MIN_ADMIN_TOKEN_LENGTH} are needed`;
  return undefined;
}
