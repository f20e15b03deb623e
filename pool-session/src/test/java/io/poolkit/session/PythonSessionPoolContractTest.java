package io.poolkit.session;

import io.poolkit.session.internal.SessionSettings;

/** The pool contract against a {@code Pool<SecureSession>} of real Python workers, sandboxed where the sandbox works (always in CI). */
class PythonSessionPoolContractTest extends SessionPoolContractTest {

    @Override
    SessionSettings settings() {
        return TestSessions.python().settings();
    }
}
