package io.poolkit.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.session.internal.SessionSettings;
import io.poolkit.testkit.AbstractPoolContractTest;
import java.time.Duration;

/**
 * The pool contract, run against a {@code Pool<SecureSession>} of real workers, built the way
 * {@link SecureSessionPool} builds its own (the same factory: liveness validation, kill on destroy).
 */
class SessionPoolContractTest extends AbstractPoolContractTest<SecureSession> {

    @Override
    protected Subject<SecureSession> open(int maxSize) {
        SessionFactory factory = new SessionFactory(settings(), "contract", false);
        Pool<SecureSession> pool = Pool.builder(factory).name("contract").maxSize(maxSize).createTimeout(Duration.ofSeconds(30))
                .validateAfterIdle(Duration.ZERO).build();
        return Subject.of(pool, pool::acquire);
    }

    /** @return the settings of the subject's workers (a subclass runs the contract against another language) */
    SessionSettings settings() {
        return TestSessions.session().settings();
    }

    /** A cold sandboxed worker: well under a second on a quiet machine, seconds under build load. */
    @Override
    protected Duration createBound() {
        return Duration.ofSeconds(60);
    }

    /** A liveness check only: a real execution per use would make the 3,600-lease test take minutes. */
    @Override
    protected void use(SecureSession session) {
        assertThat(session.isAlive()).as("%s", session).isTrue();
    }
}
