package io.poolkit.session;

import java.util.Map;

/**
 * The host side of a {@link Tool}: called with the snippet's arguments, returns the value the
 * snippet gets back. Runs on a host thread, bounded by the tool's timeout (the thread is
 * interrupted when it passes); it must be thread-safe, since snippets in several sessions may call
 * it at once.
 */
@FunctionalInterface
public interface ToolHandler {
    /**
     * @param args the arguments by parameter name: {@code null}, {@link Boolean}, {@link Long},
     *     {@link Double}, {@link String}, or unmodifiable {@link java.util.List}s and
     *     {@link Map}s of those; exactly the tool's parameters
     * @return the value for the snippet: {@code null}, a boolean, a number, a string (or any
     *     {@link CharSequence}), a collection, an array, or a map with string keys, nested at most
     *     32 deep
     * @throws Exception shown to the snippet as a {@code ToolException} with its message
     */
    Object call(Map<String, Object> args) throws Exception;
}
