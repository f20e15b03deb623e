package io.poolkit.micrometer.snippets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The javadoc example runs. */
@Timeout(30)
class MetricsSnippetsTest {
    @Test
    void theJavadocExamplesRun() throws Exception {
        MetricsSnippets.bind();
        MetricsSnippets.any();
    }
}
