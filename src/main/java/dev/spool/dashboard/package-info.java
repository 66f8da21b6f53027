/**
 * The browser dashboard's server side: sign-in sessions that trade an API key for an HttpOnly
 * cookie, the same-origin and CSRF checks, the gateway that replays a dashboard request as the API
 * request it stands for, and bulk kill/retry. The page itself is static, in {@code
 * resources/static/dashboard}.
 */
package dev.spool.dashboard;
