/** Hono typing shared by the Worker's routes: bindings from wrangler.toml plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    servedBy?: "edge" | "origin";
    cache?: "hit" | "miss";
  };
}
