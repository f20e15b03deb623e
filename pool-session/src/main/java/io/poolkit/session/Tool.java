package io.poolkit.session;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A host function that snippet code may call: {@code tools.call("lookup", "id", 42)} in the
 * snippet travels over the session's socket, runs {@link ToolHandler#call} here, and returns its
 * value to the snippet. An unknown tool, arguments other than the declared parameters, a handler
 * that throws, and a handler that does not answer within {@link #timeout()} all surface inside the
 * snippet as a {@code ToolException}. Immutable and thread-safe.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=tool}
 */
public final class Tool {
    /** The default bound of one call. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    private final String name;
    private final String description;
    private final List<String> parameters;
    private final ToolHandler handler;
    private final Duration timeout;

    private Tool(String name, String description, List<String> parameters, ToolHandler handler, Duration timeout) {
        this.name = name;
        this.description = description;
        this.parameters = parameters;
        this.handler = handler;
        this.timeout = timeout;
    }

    /**
     * @param name how snippets call it: a letter or {@code _}, then letters, digits, {@code _ . -}; at most 64 characters
     * @param description what it does, shown by {@code tools.toString()} in a snippet
     * @param parameters the names of its parameters, distinct, each like a tool name
     * @param handler runs the call on the host
     * @return the tool, with a timeout of {@link #DEFAULT_TIMEOUT}
     * @throws IllegalArgumentException naming a bad name or parameter
     */
    public static Tool of(String name, String description, List<String> parameters, ToolHandler handler) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(handler, "handler");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a tool name must start with a letter or _, then letters, digits, _ . or -,"
                    + " at most 64 characters, but was '" + name + "'");
        }
        List<String> params = List.copyOf(parameters);
        for (String p : params) {
            if (!NAME.matcher(p).matches()) {
                throw new IllegalArgumentException("tool '" + name + "': a parameter name must look like a tool name, but was '" + p + "'");
            }
        }
        if (params.stream().distinct().count() != params.size()) {
            throw new IllegalArgumentException("tool '" + name + "': parameter names must be distinct, but were " + params);
        }
        return new Tool(name, description, params, handler, DEFAULT_TIMEOUT);
    }

    /**
     * @param timeout the bound of one call, more than zero; past it the handler's thread is
     *     interrupted and the snippet gets a {@code ToolException}
     * @return a copy of this tool with that timeout
     */
    public Tool withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("tool '" + name + "': timeout must be more than zero, but was " + timeout);
        }
        return new Tool(name, description, parameters, handler, timeout);
    }

    /** @return the name snippets call it by */
    public String name() {
        return name;
    }

    /** @return what it does */
    public String description() {
        return description;
    }

    /** @return its parameter names */
    public List<String> parameters() {
        return parameters;
    }

    /** @return the host function */
    public ToolHandler handler() {
        return handler;
    }

    /** @return the bound of one call */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "Tool[" + name + parameters + ", timeout=" + timeout.toMillis() + " ms: " + description + "]";
    }
}
