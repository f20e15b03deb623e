package io.poolkit.session.snippet;

/**
 * Thrown inside snippet code when a host tool call fails: an unknown tool, arguments the tool does
 * not take, a handler that threw or did not answer in time, or the per-execution call limit.
 */
public final class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message);
    }
}
