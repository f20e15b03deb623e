package io.poolkit.session.internal;

import io.poolkit.session.Language;
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
 * @param language what the worker runs
 * @param interpreter the interpreter binary of a Python worker, or null for the default
 * @param resetBetweenUses the host resets the worker after every execution (a pool's {@code resetBetweenUses}): a
 *     Java worker then also checks the heap an execution leaves reachable past the reset
 */
public record SessionSettings(boolean sandbox, Limits limits, List<Tool> tools, Duration startTimeout, Duration stopGrace,
        Path workDirectory, Path bubblewrap, Language language, Path interpreter, boolean resetBetweenUses) {

    public SessionSettings {
        tools = List.copyOf(tools);
        java.util.Objects.requireNonNull(language, "language");
    }

    /** The settings of a Java worker. */
    public SessionSettings(boolean sandbox, Limits limits, List<Tool> tools, Duration startTimeout, Duration stopGrace,
            Path workDirectory, Path bubblewrap) {
        this(sandbox, limits, tools, startTimeout, stopGrace, workDirectory, bubblewrap, Language.JAVA, null, false);
    }

    /** @return these settings for workers the host resets between uses, or not */
    public SessionSettings withResetBetweenUses(boolean reset) {
        return new SessionSettings(sandbox, limits, tools, startTimeout, stopGrace, workDirectory, bubblewrap, language, interpreter, reset);
    }

    /** @return the tools by name */
    public Map<String, Tool> toolsByName() {
        return tools.stream().collect(Collectors.toUnmodifiableMap(Tool::name, Function.identity()));
    }
}
