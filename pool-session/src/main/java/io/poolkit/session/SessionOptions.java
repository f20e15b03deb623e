package io.poolkit.session;

import io.poolkit.session.internal.SessionSettings;
import io.poolkit.session.internal.WorkDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The options shared by {@link SecureSession.Builder} and {@link SecureSessionPool.Builder}. Every
 * setter checks its value and names the rule and the rejected value. Builders are not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class SessionOptions<B extends SessionOptions<B>> {
    private boolean sandbox = true;
    private Limits limits = Limits.defaults();
    private final List<Tool> tools = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration stopGrace = Duration.ofMillis(500);
    private Path workDirectory;
    private Path bubblewrap;
    private Language language = Language.JAVA;
    private Path interpreter;

    SessionOptions() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param sandbox run each worker in a bubblewrap sandbox (default true, on every OS). Where the
     *     sandbox cannot be set up, starting fails with {@link SandboxUnavailableException}; only
     *     {@code false} runs a worker unsandboxed: as this user, with the host's files and network
     * @return this builder
     */
    public B sandbox(boolean sandbox) {
        this.sandbox = sandbox;
        return self();
    }

    /**
     * @param limits the limits of each worker and execution (default {@link Limits#defaults()})
     * @return this builder
     */
    public B limits(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        return self();
    }

    /**
     * @param tools host functions snippets may call with {@code tools.call(name, ...)}; added to
     *     those given before; names must be distinct
     * @return this builder
     */
    public B tools(Tool... tools) {
        return tools(List.of(tools));
    }

    /**
     * @param tools host functions snippets may call; added to those given before; names must be distinct
     * @return this builder
     */
    public B tools(Collection<Tool> tools) {
        Set<String> names = new HashSet<>();
        this.tools.forEach(t -> names.add(t.name()));
        for (Tool t : tools) {
            Objects.requireNonNull(t, "tool");
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tool names must be distinct, but '" + t.name() + "' is given twice");
            }
        }
        this.tools.addAll(tools);
        return self();
    }

    /**
     * @param timeout how long a worker may take from spawn to ready (default 30 s; a cold worker
     *     needs about a second, more on a busy machine)
     * @return this builder
     */
    public B startTimeout(Duration timeout) {
        this.startTimeout = positive("startTimeout", timeout);
        return self();
    }

    /**
     * @param grace after an execution's timeout, how long the stopped snippet may take to end
     *     before the worker is killed (default 500 ms; zero kills at once)
     * @return this builder
     */
    public B stopGrace(Duration grace) {
        Objects.requireNonNull(grace, "stopGrace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("stopGrace must not be negative, but was " + grace);
        }
        this.stopGrace = grace;
        return self();
    }

    /**
     * @param dir a private directory (created mode 0700, must belong to this user) for the worker
     *     code and the sockets; short, since a socket path holds at most 107 bytes (default
     *     {@code <java.io.tmpdir>/poolkit-<user>})
     * @return this builder
     */
    public B workDirectory(Path dir) {
        this.workDirectory = Objects.requireNonNull(dir, "workDirectory").toAbsolutePath();
        return self();
    }

    /**
     * @param bwrap the bubblewrap binary (default: {@code bwrap} on the PATH, else /usr/bin/bwrap)
     * @return this builder
     */
    public B bubblewrap(Path bwrap) {
        this.bubblewrap = Objects.requireNonNull(bwrap, "bubblewrap").toAbsolutePath();
        return self();
    }

    /**
     * @param language what the snippets are written in (default {@link Language#JAVA}); the sandbox,
     *     the limits, the tools and the results are the same for every language
     * @return this builder
     */
    public B language(Language language) {
        this.language = Objects.requireNonNull(language, "language");
        return self();
    }

    /**
     * @param interpreter the interpreter of a {@link Language#PYTHON} session (default Debian's
     *     {@code /usr/bin/python3}; a pyenv or virtualenv shim is a script, give its real
     *     {@code python3} binary). Inside the sandbox it runs from an execute-only copy, and its
     *     installation prefix is bound read-only when it is not under {@code /usr}.
     * @return this builder
     */
    public B interpreter(Path interpreter) {
        this.interpreter = Objects.requireNonNull(interpreter, "interpreter").toAbsolutePath();
        return self();
    }

    static Duration positive(String option, Duration d) {
        Objects.requireNonNull(d, option);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " must be more than zero, but was " + d);
        }
        return d;
    }

    SessionSettings settings() {
        if (interpreter != null && language == Language.JAVA) {
            throw new IllegalArgumentException("interpreter (" + interpreter + ") is for a PYTHON session, but language is JAVA:"
                    + " call language(Language.PYTHON) too, or leave the interpreter out (Java workers run this JVM's java)");
        }
        if (interpreter != null && language == Language.R) {
            throw new IllegalArgumentException("interpreter (" + interpreter + ") is for a PYTHON session, but language is R:"
                    + " leave the interpreter out (R workers run Debian's R, /usr/lib/R)");
        }
        return new SessionSettings(sandbox, limits, tools, startTimeout, stopGrace,
                workDirectory != null ? workDirectory : WorkDirs.defaultRoot(), bubblewrap, language, interpreter, false);
    }
}
