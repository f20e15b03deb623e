package io.poolkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CustomFactoryExampleTest {
    @Test
    void pooledRunOpensAtMostMaxSizeConnectionsAndBeatsOneConnectionPerRequest() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<CustomFactoryExample.Result> results =
                CustomFactoryExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4, 25, 5);
        CustomFactoryExample.Result unpooled = results.get(0);
        CustomFactoryExample.Result pooled = results.get(1);
        assertThat(unpooled.connectionsOpened()).isEqualTo(100);
        assertThat(pooled.connectionsOpened()).isBetween(1, 4);
        assertThat(pooled.millis()).isLessThan(unpooled.millis());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("pooled is").contains("pool stats: created=");
    }
}
