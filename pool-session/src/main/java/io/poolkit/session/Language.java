package io.poolkit.session;

/**
 * The language a session's snippets are written in. Every language runs in the same sandbox, under
 * the same {@link Limits}, speaks the same protocol to the host and calls the same {@link Tool}s; what
 * differs is the worker inside.
 *
 * <ul>
 * <li>{@link #JAVA} (the default): a child JVM evaluating snippets with JShell.
 * <li>{@link #PYTHON}: CPython 3.9 or newer, Debian's {@code /usr/bin/python3} unless
 *     {@code interpreter(Path)} names another. Tools are plain functions ({@code lookup(id=42)}) and
 *     {@code tools.call("lookup", id=42)}; the value is the last expression's {@code repr()} (empty
 *     for {@code None} and for statements); an exception's class is its qualified name.
 * <li>{@link #R}: Debian's R ({@code r-base-core}, {@code R_HOME} {@code /usr/lib/R}). Tools are plain
 *     functions ({@code lookup(id = 42)}) and {@code tools$call("lookup", id = 42)}; the value is
 *     what {@code print()} shows of the last expression when it is visible (empty for an assignment);
 *     an error's class is its condition's first class ({@code simpleError}).
 * </ul>
 */
public enum Language {
    /** Java snippets in JShell, in a child JVM (the same {@code java} as the host's). */
    JAVA,
    /** Python code in CPython 3.9+: Debian's {@code /usr/bin/python3}, or the {@code interpreter(Path)} given. */
    PYTHON,
    /** R code in Debian's R ({@code apt-get install r-base-core}), as the R package securer runs it. */
    R
}
