package io.poolkit.session.snippet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tools} variable of every snippet: calls the host's tools. Each call travels to the host
 * over the session's socket, runs there with its per-call timeout, and its value comes back.
 *
 * <pre>{@code
 * Object user = tools.call("lookup", "id", 42);            // name, then key/value pairs
 * Object same = tools.call("lookup", Map.of("id", 42));    // or a map of arguments
 * }</pre>
 *
 * <p>Arguments and results are {@code null}, booleans, numbers (integral ones arrive as
 * {@link Long}, the others as {@link Double}), strings, lists and maps with string keys. A failure
 * throws {@link ToolException}. Thread-safe; calls are allowed only while an execution runs.
 */
public final class Tools {
    /** What the worker plugs in; not for snippet code. */
    public interface Backend {
        Object call(String name, Map<String, ?> args);

        /** @return name, description and parameter names of every tool */
        List<String[]> describe();
    }

    private static volatile Tools instance;
    private final Backend backend;

    private Tools(Backend backend) {
        this.backend = backend;
    }

    /** Installs the worker's backend once, from the worker's own module only; every other call is refused. */
    public static synchronized void install(Backend backend) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        if (caller.getModule() != Tools.class.getModule() || !Tools.class.getModule().isNamed()) {
            throw new IllegalStateException("tools are installed by the session worker, not by " + caller.getName());
        }
        if (instance != null) {
            throw new IllegalStateException("tools are installed already");
        }
        instance = new Tools(backend);
    }

    /** @return the tools of this session */
    public static Tools get() {
        Tools t = instance;
        if (t == null) {
            throw new IllegalStateException("no tools outside a session worker");
        }
        return t;
    }

    /**
     * Calls a host tool.
     *
     * @param name the tool's name
     * @param args its arguments by parameter name
     * @return the tool's value
     * @throws ToolException when the call fails
     */
    public Object call(String name, Map<String, ?> args) {
        return backend.call(name, args == null ? Map.of() : args);
    }

    /**
     * Calls a host tool with its arguments as alternating names and values.
     *
     * @param name the tool's name
     * @param namesAndValues {@code "param1", value1, "param2", value2, ...}
     * @return the tool's value
     * @throws ToolException when the call fails or the names and values do not pair up
     */
    public Object call(String name, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new ToolException("tools.call(\"" + name + "\", ...) takes parameter names and values in pairs, but got "
                    + namesAndValues.length + " arguments");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String key)) {
                throw new ToolException("tools.call(\"" + name + "\", ...): argument " + i + " must be a parameter name (a string)");
            }
            args.put(key, namesAndValues[i + 1]);
        }
        return backend.call(name, args);
    }

    /** @return the names of the host's tools */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (String[] t : backend.describe()) {
            names.add(t[0]);
        }
        return names;
    }

    /** @return one line per tool: {@code name(param, ...): description} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String[] t : backend.describe()) {
            b.append(t[0]).append('(');
            for (int i = 2; i < t.length; i++) {
                b.append(i > 2 ? ", " : "").append(t[i]);
            }
            b.append("): ").append(t[1]).append('\n');
        }
        return b.toString();
    }
}
