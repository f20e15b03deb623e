package io.poolkit.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The javadoc examples run, so they stay correct. */
@Timeout(30)
class SnippetsTest {
    @Test
    void everyJavadocExampleRuns() throws Exception {
        PoolSnippets.basic();
        PoolSnippets.builder();
        PoolSnippets.keyed();
        PoolSnippets.commons();
        assertThat(PoolSnippets.keyOptions().toString()).contains("maxSize=20", "minIdle=2");
    }
}
