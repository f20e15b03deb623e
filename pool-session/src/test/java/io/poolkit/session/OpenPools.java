package io.poolkit.session;

import io.poolkit.testkit.PoolChecks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The pools a test opened ({@code @RegisterExtension final OpenPools pools = new OpenPools();}, then
 * {@code pools.add(builder.build())}): after each test the counts rule is checked on each of them,
 * and each is closed, also when a check fails.
 */
final class OpenPools implements AfterEachCallback {
    private final List<SecureSessionPool> open = new ArrayList<>();

    SecureSessionPool add(SecureSessionPool pool) {
        open.add(pool);
        return pool;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<SecureSessionPool> pools = List.copyOf(open);
        open.clear();
        try {
            for (SecureSessionPool p : pools) {
                PoolChecks.assertCountsRule(p::stats);
            }
        } finally {
            pools.forEach(SecureSessionPool::close);
        }
    }
}
