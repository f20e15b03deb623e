package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Host tools called from snippets: the round trip, and every way a call can go wrong, seen inside the snippet. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ToolsTest {
    private final List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger counted = new AtomicInteger();
    private final CountDownLatch slowInterrupted = new CountDownLatch(1);
    private SecureSession session;

    @BeforeAll
    void start() {
        Map<Long, String> users = Map.of(42L, "Ada", 7L, "Linus");
        session = TestSessions.session().name("tools")
                .limits(TestSessions.smallLimits().maxToolCalls(5).build())
                .tools(Tool.of("lookup", "find a user by id", List.of("id"), args -> users.get((Long) args.get("id"))),
                        Tool.of("echo", "returns its argument", List.of("value"), args -> {
                            seen.add(args);
                            return args.get("value");
                        }),
                        Tool.of("count", "counts its calls", List.of(), args -> counted.incrementAndGet()),
                        Tool.of("fail", "always throws", List.of(), args -> {
                            throw new IllegalStateException("the backend is down");
                        }),
                        Tool.of("slow", "never answers in time", List.of(), args -> {
                            try {
                                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // a backend that never answers
                            } catch (InterruptedException e) {
                                slowInterrupted.countDown();
                                throw e;
                            }
                            return "late";
                        }).withTimeout(Duration.ofMillis(300)),
                        Tool.of("weird", "returns what cannot travel", List.of(), args -> new Object()))
                .start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    private ExecutionResult run(String code) {
        return session.execute(code, T);
    }

    private static ExecutionError failure(ExecutionResult r) {
        assertThat(r.isSuccess()).as("expected a failure: %s", r).isFalse();
        return r.error().orElseThrow();
    }

    @Test
    void callTravelsToTheHostAndTheValueComesBack() {
        assertThat(run("tools.call(\"lookup\", \"id\", 42)").value()).isEqualTo("\"Ada\"");
        assertThat(run("tools.call(\"lookup\", Map.of(\"id\", 7))").value()).isEqualTo("\"Linus\"");
        assertThat(run("tools.call(\"lookup\", \"id\", 1)").value()).isEqualTo("null");
    }

    @Test
    void valuesKeepTheirTypesBothWays() {
        ExecutionResult r = run("var m = new java.util.LinkedHashMap<String, Object>();"
                + " m.put(\"i\", 3); m.put(\"d\", 1.5); m.put(\"s\", \"t\u00e9xt\"); m.put(\"b\", true); m.put(\"n\", null);"
                + " m.put(\"l\", java.util.List.of(1, \"two\")); m.put(\"nested\", java.util.Map.of(\"k\", 9L));\n"
                + "Object back = tools.call(\"echo\", \"value\", m);\n"
                + "var copy = new HashMap<Object, Object>((Map<?, ?>) back); copy.remove(\"n\");\n"
                + "copy.equals(Map.of(\"i\", 3L, \"d\", 1.5, \"s\", \"t\u00e9xt\", \"b\", true, \"l\", List.of(1L, \"two\"), \"nested\", Map.of(\"k\", 9L)))"
                + " && ((Map<?, ?>) back).containsKey(\"n\")");
        assertThat(r.value()).as("%s", r).isEqualTo("true");
        Map<String, Object> got = seen.get(seen.size() - 1);
        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) got.get("value");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("i", 3L);
        expected.put("d", 1.5);
        expected.put("s", "t\u00e9xt");
        expected.put("b", true);
        expected.put("n", null);
        expected.put("l", List.of(1L, "two"));
        expected.put("nested", Map.of("k", 9L));
        assertThat(value).containsExactlyEntriesOf(expected);
    }

    @Test
    void unknownToolIsAnErrorInsideTheSnippet() {
        ExecutionResult r = run("String msg; try { tools.call(\"nope\"); msg = \"no error\"; }"
                + " catch (io.poolkit.session.snippet.ToolException e) { msg = e.getMessage(); } msg");
        assertThat(r.value()).contains("unknown tool 'nope'").contains("count, echo, fail, lookup, slow, weird");
    }

    @Test
    void uncaughtToolErrorFailsTheExecutionWithItsMessage() {
        ExecutionError e = failure(run("tools.call(\"nope\")"));
        assertThat(e.kind()).isEqualTo(Kind.EXCEPTION);
        assertThat(e.exceptionClass()).contains("io.poolkit.session.snippet.ToolException");
        assertThat(e.message()).contains("unknown tool 'nope'");
    }

    @Test
    void badArgumentsNameWhatIsWrong() {
        assertThat(failure(run("tools.call(\"lookup\", \"idx\", 1)")).message())
                .contains("tool 'lookup' takes (id), but was called with (idx)").contains("unknown: idx").contains("missing: id");
        assertThat(failure(run("tools.call(\"lookup\")")).message()).contains("missing: id");
        assertThat(failure(run("tools.call(\"lookup\", \"id\")")).message()).contains("in pairs");
        assertThat(failure(run("tools.call(\"echo\", \"value\", new Object())")).message()).contains("java.lang.Object")
                .contains("cannot travel");
    }

    @Test
    void handlerExceptionSurfacesInTheSnippet() {
        ExecutionError e = failure(run("tools.call(\"fail\")"));
        assertThat(e.message()).contains("tool 'fail' failed: IllegalStateException: the backend is down");
        assertThat(session.isAlive()).isTrue();
    }

    @Test
    void handlerPastItsTimeoutIsInterruptedAndTheSnippetToldSo() throws Exception {
        long start = System.nanoTime();
        ExecutionError e = failure(run("tools.call(\"slow\")"));
        assertThat(e.message()).contains("tool 'slow' did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(slowInterrupted.await(10, TimeUnit.SECONDS)).as("the handler was interrupted").isTrue();
    }

    @Test
    void valueThatCannotTravelIsAnError() {
        assertThat(failure(run("tools.call(\"weird\")")).message()).contains("cannot travel to the snippet");
    }

    @Test
    void callsPerExecutionAreLimited() {
        int before = counted.get();
        ExecutionResult r = run("int ok = 0; for (int i = 0; i < 20; i++) { tools.call(\"count\"); ok++; }");
        assertThat(failure(r).message()).contains("tool call limit reached: at most 5");
        assertThat(counted.get() - before).as("the handler ran only up to the limit").isEqualTo(5);
        assertThat(run("tools.call(\"count\")").isSuccess()).as("the budget is per execution").isTrue();
    }

    @Test
    void snippetCanListTheTools() {
        assertThat(run("tools.names()").value()).contains("lookup").contains("echo");
        assertThat(run("tools.toString()").value()).contains("lookup(id): find a user by id");
    }

    @Test
    void concurrentCallsFromSnippetThreadsAllComeBack() {
        ExecutionResult r = run("var pool = java.util.concurrent.Executors.newFixedThreadPool(4);"
                + " var fs = new java.util.ArrayList<java.util.concurrent.Future<Object>>();"
                + " for (int i = 0; i < 4; i++) { long v = i; fs.add(pool.submit(() -> tools.call(\"echo\", \"value\", v))); }"
                + " long sum = 0; for (var f : fs) sum += (Long) f.get(); pool.shutdown(); pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS); sum");
        assertThat(r.value()).as("%s", r).isEqualTo("6");
    }

    @Test
    void toolDefinitionsAreChecked() {
        assertThatThrownBy(() -> Tool.of("1bad", "", List.of(), a -> null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1bad'");
        assertThatThrownBy(() -> Tool.of("ok", "", List.of("a", "a"), a -> null)).hasMessageContaining("distinct");
        assertThatThrownBy(() -> Tool.of("ok", "", List.of("a b"), a -> null)).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> Tool.of("ok", "", List.of(), a -> null).withTimeout(Duration.ZERO)).hasMessageContaining("more than zero");
        Tool t = Tool.of("ok", "d", List.of(), a -> null);
        assertThatThrownBy(() -> SecureSession.builder().tools(t, t)).hasMessageContaining("'ok' is given twice");
        List<String> params = new ArrayList<>(List.of("x"));
        Tool copy = Tool.of("copy", "d", params, a -> null);
        params.add("y");
        assertThat(copy.parameters()).isEqualTo(Collections.singletonList("x"));
        assertThat(copy.timeout()).isEqualTo(Tool.DEFAULT_TIMEOUT);
    }
}
