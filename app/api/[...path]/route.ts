// Any other path under /api: a JSON 404 (after the sign-in check, so that nothing about the
// API's shape is told to a caller who is not signed in).
import { callerOf } from "../../lib/auth.ts";
import { ApiError, route } from "../../lib/http.ts";

const notFound = route(async (request: Request) => {
  await callerOf(request);
  throw new ApiError("NOT_FOUND", `there is no ${request.method} ${new URL(request.url).pathname.slice(0, 200)} in Weft's API`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
