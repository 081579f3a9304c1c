CREATE TABLE "predictions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"batch_row" integer,
	"created_at" timestamp with time zone NOT NULL,
	"model_name" text NOT NULL,
	"model_version" text NOT NULL,
	"origin" text NOT NULL,
	"destination" text NOT NULL,
	"departure" text NOT NULL,
	"distance_miles" integer NOT NULL,
	"reference" text,
	"probability" double precision NOT NULL,
	"is_delayed" boolean NOT NULL,
	"served_by" text NOT NULL,
	"cache_hit" boolean NOT NULL,
	"latency_ms" double precision NOT NULL
);
--> statement-breakpoint
CREATE INDEX "predictions_created_at" ON "predictions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "predictions_request_id" ON "predictions" USING btree ("request_id");