/** Hono typing shared by the Worker's routes: bindings from wrangler.toml plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    servedBy?: "edge" | "origin";
    /** Where the prediction came from: the isolate's memory, KV, or neither. */
    cache?: "memory" | "kv" | "miss";
    /** The model of a returned prediction, as `name@version`. */
    servedModel?: string;
  };
}
