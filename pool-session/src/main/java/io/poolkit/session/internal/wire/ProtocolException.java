package io.poolkit.session.internal.wire;

import java.io.IOException;

/** A frame that breaks the protocol: too long, truncated, of an unknown type, or with a bad field. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
