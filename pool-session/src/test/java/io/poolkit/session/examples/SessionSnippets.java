package io.poolkit.session.examples;

import io.poolkit.session.ExecutionResult;
import io.poolkit.session.Language;
import io.poolkit.session.Limits;
import io.poolkit.session.SecureSession;
import io.poolkit.session.SecureSessionPool;
import io.poolkit.session.SessionPoolStatus;
import io.poolkit.session.Tool;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The examples in pool-session's javadoc, as compiled code: each {@code @start region=...} is shown
 * by a {@code {@snippet class=... region=...}} tag (javadoc runs on the JDK 21+ leg with
 * {@code --snippet-path} pointing at the test sources). {@code SessionSnippetsTest} runs them.
 */
final class SessionSnippets {
    private SessionSnippets() {
    }

    static String session() {
        // @start region="session"
        try (SecureSession session = SecureSession.builder().limits(Limits.builder().heap("128m").build()).start()) {
            session.execute("int x = 20;", Duration.ofSeconds(5));
            ExecutionResult r = session.execute("x * 2 + 2", Duration.ofSeconds(5));
            return r.value(); // "42"
        }
        // @end
    }

    static String pool(Map<Long, String> users) {
        // @start region="pool"
        try (SecureSessionPool sessions = SecureSessionPool.builder().size(4)
                .limits(Limits.builder().heap("128m").maxOutputBytes(1 << 20).build())
                .tools(Tool.of("lookup", "find a user", List.of("id"), args -> users.get(args.get("id"))))
                .resetBetweenUses(false)
                .build()) {
            ExecutionResult x = sessions.execute("1 + 1", Duration.ofSeconds(5), Duration.ofSeconds(1));
            // x.isSuccess(), x.value() -> "2", x.stdout(), x.stderr(), x.error() (kind + message), x.duration()
            ExecutionResult user = sessions.execute("tools.call(\"lookup\", \"id\", 42)", Duration.ofSeconds(5));
            SessionPoolStatus st = sessions.status(); // total(), busy(), idle(), dead(), starting()
            return x.value() + " " + user.value() + " " + st.total();
        }
        // @end
    }

    static String python(Map<Long, String> users) {
        // @start region="python"
        try (SecureSessionPool python = SecureSessionPool.builder().language(Language.PYTHON).size(4)
                .tools(Tool.of("lookup", "find a user", List.of("id"), args -> users.get(args.get("id"))))
                .build()) {
            String code = """
                    name = lookup(id=42)          # a host tool, called like a function
                    print("found", name)
                    name.upper()                  # the value: the last expression's repr()
                    """;
            ExecutionResult r = python.execute(code, Duration.ofSeconds(5));
            return r.value() + " " + r.stdout().strip(); // "'ADA'" and "found Ada"
        }
        // @end
    }

    static String r(Map<Long, String> users) {
        // @start region="r"
        try (SecureSessionPool r = SecureSessionPool.builder().language(Language.R).size(1)
                .tools(Tool.of("lookup", "find a user", List.of("id"), args -> users.get(args.get("id"))))
                .build()) {
            String code = """
                    name <- lookup(id = 42)        # a host tool, called like a function (42 arrives as a Long)
                    cat("found", name, "\n")
                    toupper(name)                  # the value: what print() shows of the last expression
                    """;
            ExecutionResult result = r.execute(code, Duration.ofSeconds(5));
            return result.value() + " " + result.stdout().strip(); // "[1] \"ADA\"" and "found Ada"
        }
        // @end
    }

    static Limits limits() {
        // @start region="limits"
        Limits limits = Limits.builder()
                .heap("128m")
                .maxOutputBytes(1 << 20)
                .maxWallTime(Duration.ofSeconds(30))
                .maxToolCalls(20)
                .build();
        // @end
        return limits;
    }

    static Tool tool(Map<Long, String> users) {
        // @start region="tool"
        Tool lookup = Tool.of("lookup", "find a user by id", List.of("id"), args -> users.get((Long) args.get("id")))
                .withTimeout(Duration.ofSeconds(2));
        // in a snippet: tools.call("lookup", "id", 42)  or  tools.call("lookup", Map.of("id", 42))
        // @end
        return lookup;
    }
}
