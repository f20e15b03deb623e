/**
 * Pre-warmed, sandboxed JShell sessions for running untrusted or generated Java code.
 *
 * <p>Start with {@link io.poolkit.session.SecureSessionPool#builder()}: a thread-safe pool of
 * {@link io.poolkit.session.SecureSession}s, each a child JVM evaluating snippets with jdk.jshell's
 * local engine inside a bubblewrap sandbox, with {@link io.poolkit.session.Limits} and host
 * {@link io.poolkit.session.Tool}s. A single session: {@link io.poolkit.session.SecureSession#builder()}.
 */
package io.poolkit.session;
