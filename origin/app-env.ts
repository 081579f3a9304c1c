/** Hono typing of the origin's per-request variables. */
export interface OriginEnv {
  Variables: {
    requestId: string;
    cache?: "hit" | "miss";
    modelVersion?: string;
  };
}
