import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { UserFields } from "../../accounts/queries.js";
import { readBodyLimited } from "../read-body.js";

/** A request the admin API refuses: mapped to `{error, error_description}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

export const invalid = (description: string) => new ApiError(400, "invalid_request", description);
export const notFound = (description: string) => new ApiError(404, "not_found", description);
export const conflict = (description: string) => new ApiError(409, "conflict", description);

/** Wraps a handler so an ApiError becomes its JSON reply: the one place statuses are mapped. */
export function handle(fn: (c: Context) => Promise<Response>) {
  return async (c: Context) => {
    try {
      return await fn(c);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return c.json({ error: error.code, error_description: error.message }, error.status);
    }
  };
}

const MAX_BODY = 64 * 1024;
export type Json = Record<string, unknown>;

/** The request body as a JSON object. */
export async function jsonBody(c: Context): Promise<Json> {
  const text = await readBodyLimited(c.req.raw, MAX_BODY);
  if (text === null) throw new ApiError(413, "invalid_request", `body larger than ${MAX_BODY} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw invalid("the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid("the body must be a JSON object");
  return value as Json;
}

/** Refuses fields the route does not know, so a typo is not silently ignored. */
export function onlyFields(body: Json, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw invalid(`unknown field ${unknown.map((k) => `"${k}"`).join(", ")}`);
}

export function optString(body: Json, key: string, max = 1000): string | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw invalid(`${key} must be a string`);
  if (v.length > max) throw invalid(`${key} must be at most ${max} characters`);
  // PostgreSQL text cannot hold NUL: the insert would fail as a 500 instead of a 400.
  if (v.includes("\0")) throw invalid(`${key} must not contain NUL bytes`);
  return v;
}

export function reqString(body: Json, key: string, max = 1000): string {
  const v = optString(body, key, max);
  if (v === null || v.trim() === "") throw invalid(`${key} is required`);
  return v;
}

export function optBool(body: Json, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw invalid(`${key} must be true or false`);
  return v;
}

function optId(body: Json, key: string): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1)
    throw invalid(`${key} must be a whole number from 1 to ${2 ** 31 - 1}`);
  return v;
}

/** The userdb overrides of a user or the defaults of a domain; absent ones are null (inherited). */
export function fieldsOf(body: Json): UserFields {
  return {
    home: optString(body, "home"),
    mail: optString(body, "mail"),
    uid: optId(body, "uid"),
    gid: optId(body, "gid"),
    quota_rule: optString(body, "quota_rule"),
  };
}

/** A query parameter as text, or null when absent or empty; NUL is refused (PostgreSQL text cannot hold it). */
export function queryText(c: Context, key: string): string | null {
  const raw = c.req.query(key);
  if (raw === undefined || raw === "") return null;
  if (raw.includes("\0")) throw invalid(`${key} must not contain NUL bytes`);
  return raw;
}

/** A query parameter as a whole number within bounds, or the default when absent. */
export function queryInt(c: Context, key: string, fallback: number | null, min: number, max: number) {
  const raw = c.req.query(key);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw invalid(`${key} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A query parameter as a time (ISO 8601), or null when absent. */
export function queryTime(c: Context, key: string): Date | null {
  const raw = c.req.query(key);
  if (raw === undefined || raw === "") return null;
  const t = new Date(raw);
  // JavaScript dates reach year 275760 either way; PostgreSQL misreads a six-digit year's ISO text
  // ("-271821-04-20T00:00:00.000Z") and fails the query, so the range is kept to four-digit years.
  const year = t.getUTCFullYear();
  if (Number.isNaN(t.getTime()) || year < 1 || year > 9999)
    throw invalid(`${key} must be an ISO 8601 time from year 1 to 9999, e.g. 2026-01-31T12:00:00Z`);
  return t;
}

/** The audit log's actor for admin API changes: there is one admin token, named "admin". */
export const API_ACTOR = "api:admin";

/** A path parameter (the route always has it; Hono types it loosely without a typed path). */
export const param = (c: Context, key: string): string => c.req.param(key) ?? "";
