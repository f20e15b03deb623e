package io.poolkit.session.internal;

import io.poolkit.session.ExecutionError;

/**
 * What the host learnt from one execution.
 *
 * @param kind null on success, else the kind of failure
 * @param value the last snippet's value, as text
 * @param stdout what the snippet printed to System.out (capped)
 * @param stderr what it printed to System.err (capped)
 * @param errorClass the exception class for an exception, else empty
 * @param message the failure's message, else empty
 * @param stackTrace the snippet's stack trace for an exception, else empty
 * @param nanos how long it took
 * @param leftover threads or processes the snippet left running, or heap it left reachable past a reset (the session
 *     must be recycled), else empty
 */
public record RunReport(ExecutionError.Kind kind, String value, String stdout, String stderr, String errorClass, String message,
        String stackTrace, long nanos, String leftover) {

    static RunReport failure(ExecutionError.Kind kind, String message, long nanos) {
        return new RunReport(kind, "", "", "", "", message, "", nanos, "");
    }
}
