/** Hono typing shared by the Worker's routes: bindings from wrangler.toml plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    servedBy?: "edge" | "origin";
    /** Source of the prediction: the isolate's memory, KV, or neither (a fresh model run). */
    cache?: "memory" | "kv" | "miss";
    /** The model of a returned prediction, as `name@version`. */
    servedModel?: string;
  };
}
