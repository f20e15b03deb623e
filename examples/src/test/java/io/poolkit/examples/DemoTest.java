package io.poolkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(300) // a hang guard for the whole tour (cold sandboxed workers included), not a speed assertion
class DemoTest {
    @Test
    void tourRunsEveryStageAndEndsWithTheTable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Demo.Row> rows = Demo.tour(new PrintStream(bytes, true, StandardCharsets.UTF_8), Demo.stages(), Demo.Size.SMOKE);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.pooledMillis()).isLessThan(r.unpooledMillis()));
        assertThat(out).contains("unpooled ms", "pooled ms", "speedup", "core (custom factory)");
    }
}
