package io.poolkit.session;

import io.poolkit.session.internal.SessionSettings;

/** The pool contract against a {@code Pool<SecureSession>} of real R workers, sandboxed where the sandbox works (always in CI). */
class RSessionPoolContractTest extends SessionPoolContractTest {

    @Override
    SessionSettings settings() {
        return TestSessions.r().settings();
    }
}
