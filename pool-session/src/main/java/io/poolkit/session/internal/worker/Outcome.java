package io.poolkit.session.internal.worker;

/**
 * What one run produced, as the RESULT frame carries it. The statuses describe the evaluation only;
 * whether a limit was hit is for the host to see (it counts the output itself).
 */
final class Outcome {
    static final byte OK = 0;
    static final byte COMPILE_ERROR = 1;
    static final byte EXCEPTION = 2;
    static final byte STOPPED = 3;
    static final byte INTERNAL = 5;

    byte status = OK;
    String value = "";
    String errorClass = "";
    String message = "";
    String stackTrace = "";

    static Outcome error(byte status, String errorClass, String message, String stackTrace) {
        Outcome o = new Outcome();
        o.status = status;
        o.errorClass = errorClass;
        o.message = message;
        o.stackTrace = stackTrace;
        return o;
    }
}
