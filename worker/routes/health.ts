import { Hono } from "hono";
import { EDGE_MODEL_INFO, isEdgeModelLoaded } from "../inference/edge-model";
import type { AppEnv } from "../app-env";

/** GET /health: liveness plus the model this isolate serves; it never loads the model itself. */
export const healthRoutes = new Hono<AppEnv>().get("/health", (c) =>
  c.json({
    status: "ok",
    model: { name: EDGE_MODEL_INFO.name, version: EDGE_MODEL_INFO.version },
    session_loaded: isEdgeModelLoaded(),
  }),
);
