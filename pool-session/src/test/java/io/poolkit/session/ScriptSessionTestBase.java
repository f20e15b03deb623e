package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One session of a script language for a whole test class (a worker's start costs more than most of
 * its tests), restarted before a test when the previous one ended or retired it, with the same three
 * host tools in every language: {@code lookup(id)} (42 is Ada, 7 is Linus), {@code echo(value)} (what
 * it was called with is in {@link #seen}) and {@code fail()} (always throws).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScriptSessionTestBase {
    /** The arguments of every call of the {@code echo} tool, in order. */
    protected final List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
    protected SecureSession session;

    /** The session's builder: its language, name and limits; the tools and stop grace are added here. */
    protected abstract SecureSession.Builder builder();

    @BeforeAll
    void start() {
        Map<Long, String> users = Map.of(42L, "Ada", 7L, "Linus");
        session = builder().stopGrace(Duration.ofMillis(300))
                .tools(Tool.of("lookup", "find a user by id", List.of("id"), args -> users.get((Long) args.get("id"))),
                        Tool.of("echo", "returns its argument", List.of("value"), args -> {
                            seen.add(args);
                            return args.get("value");
                        }),
                        Tool.of("fail", "always throws", List.of(), args -> {
                            throw new IllegalStateException("the backend is down");
                        }))
                .start();
    }

    @AfterAll
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    @BeforeEach
    void alive() {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
    }

    protected ExecutionResult run(String code) {
        return session.execute(code, T);
    }

    /** The value of a snippet that must succeed. */
    protected String value(String code) {
        ExecutionResult r = run(code);
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        return r.value();
    }

    /** The error of a snippet that must fail. */
    protected static ExecutionError failure(ExecutionResult r) {
        assertThat(r.isSuccess()).as("expected a failure: %s", r).isFalse();
        return r.error().orElseThrow();
    }
}
