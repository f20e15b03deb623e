package io.poolkit.session.internal;

import io.poolkit.session.Limits;
import io.poolkit.session.Tool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What every worker of a session (or of a pool) is started with; immutable.
 *
 * @param sandbox run in bubblewrap
 * @param limits the worker's and each execution's limits
 * @param tools the host tools snippets may call
 * @param startTimeout how long a worker may take to say HELLO
 * @param stopGrace after a timeout, how long a stopped snippet may take before the worker is killed
 * @param workDirectory the private root for the worker code and the sockets
 * @param bubblewrap the bwrap binary, or null to look it up
 */
public record SessionSettings(boolean sandbox, Limits limits, List<Tool> tools, Duration startTimeout, Duration stopGrace,
        Path workDirectory, Path bubblewrap) {

    public SessionSettings {
        tools = List.copyOf(tools);
    }

    /** @return the tools by name */
    public Map<String, Tool> toolsByName() {
        return tools.stream().collect(Collectors.toUnmodifiableMap(Tool::name, Function.identity()));
    }
}
