// Reading the engine from a page: an unknown workflow or run is the page's 404, any other
// failure is the page's error boundary.
import { notFound } from "next/navigation";

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "NOT_FOUND";
}

/** The value, or the not-found page when the engine says the thing does not exist. */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (isNotFound(err)) notFound();
    throw err;
  }
}

/** The value, or undefined when the engine says it does not exist. */
export async function orNothing<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
