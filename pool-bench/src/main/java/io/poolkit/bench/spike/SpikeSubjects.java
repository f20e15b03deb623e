package io.poolkit.bench.spike;

import com.zaxxer.hikari.util.ConcurrentBag;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.bench.Res;
import io.poolkit.bench.pools.BagEntry;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.vibur.objectpool.ConcurrentPool;
import org.vibur.objectpool.PoolObjectFactory;
import org.vibur.objectpool.util.ConcurrentLinkedDequeCollection;
import stormpot.Allocator;
import stormpot.BasePoolable;
import stormpot.Expiration;
import stormpot.Slot;
import stormpot.Timeout;

/** Each pool set up for the spike: maxSize 50, 5 idle objects ready, its own create policy. */
final class SpikeSubjects {
    private SpikeSubjects() {
    }

    /** One pool under the spike. */
    interface Subject extends AutoCloseable {
        /**
         * Waits until the pool holds its {@value Spike#MIN_IDLE} idle objects.
         *
         * @throws Exception when it cannot
         */
        void awaitReady() throws Exception;

        /**
         * @param timeout the longest wait
         * @return a handle to give back to {@link #release}
         * @throws Exception when no object came in time
         */
        Object acquire(Duration timeout) throws Exception;

        /**
         * @param handle what {@link #acquire} returned
         * @throws Exception when the pool refuses it
         */
        void release(Object handle) throws Exception;

        @Override
        void close();
    }

    static String note(String pool) {
        return switch (pool) {
            case "poolkit" -> "Pool.builder(factory).maxSize(50).minIdle(5).build(); maxConcurrentCreates default (2); creates on the pool's workers";
            case "stormpot" -> "no minIdle: a Stormpot pool keeps setSize(50) objects, allocated one by one in the background; the spike starts once 5 exist";
            case "commonsPool2" -> "GenericObjectPool maxTotal 50, maxIdle 50, minIdle 5 (preparePool); borrowObject creates on the caller's thread";
            case "hikariBag" -> "ConcurrentBag plus a model of HikariPool's create policy: one adder thread, a create queued while waiters outnumber queued creates, "
                    + "each create made only while waiters exceed idle entries; 5 entries added first (minimumIdle)";
            case "vibur" -> "ConcurrentPool initialSize 5, maxSize 50, fair; take creates on the caller's thread";
            default -> throw new IllegalArgumentException("unknown pool " + pool);
        };
    }

    static Subject open(String pool, Spike.SlowFactory factory) throws Exception {
        return switch (pool) {
            case "poolkit" -> new PoolkitSubject(factory);
            case "stormpot" -> new StormpotSubject(factory);
            case "commonsPool2" -> new CommonsPool2Subject(factory);
            case "hikariBag" -> new HikariBagSubject(factory);
            case "vibur" -> new ViburSubject(factory);
            default -> throw new IllegalArgumentException("unknown pool " + pool);
        };
    }

    private static void awaitCount(String pool, java.util.function.IntSupplier count, int wanted, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (count.getAsInt() < wanted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(pool + ": only " + count.getAsInt() + " of " + wanted + " idle objects after " + limit);
            }
            Thread.sleep(5);
        }
    }

    static final class PoolkitSubject implements Subject {
        private final Pool<Res> pool;

        PoolkitSubject(Spike.SlowFactory factory) {
            pool = Pool.builder(factory::create).name("spike").maxSize(Spike.MAX_SIZE).minIdle(Spike.MIN_IDLE).build();
        }

        @Override
        public void awaitReady() throws InterruptedException {
            // minIdle is kept by the pool's own maintenance, with no call from us.
            awaitCount("poolkit", () -> pool.stats().idle(), Spike.MIN_IDLE, Duration.ofSeconds(10));
        }

        @Override
        public Object acquire(Duration timeout) throws InterruptedException {
            return pool.acquire(timeout);
        }

        @Override
        public void release(Object handle) {
            ((Lease<?>) handle).close();
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    static final class StormpotSubject implements Subject {
        private final stormpot.Pool<Pooled> pool;

        StormpotSubject(Spike.SlowFactory factory) {
            Allocator<Pooled> allocator = new Allocator<>() {
                @Override
                public Pooled allocate(Slot slot) {
                    Res res = factory.create();
                    return new Pooled(slot, res);
                }

                @Override
                public void deallocate(Pooled poolable) {
                }
            };
            pool = stormpot.Pool.from(allocator).setSize(Spike.MAX_SIZE).setExpiration(Expiration.never()).build();
        }

        @Override
        public void awaitReady() throws InterruptedException {
            awaitCount("stormpot", () -> (int) pool.getManagedPool().getAllocationCount(), Spike.MIN_IDLE, Duration.ofSeconds(10));
        }

        @Override
        public Object acquire(Duration timeout) throws InterruptedException {
            Pooled p = pool.claim(new Timeout(timeout));
            if (p == null) {
                throw new IllegalStateException("stormpot: claim timed out");
            }
            return p;
        }

        @Override
        public void release(Object handle) {
            ((Pooled) handle).release();
        }

        @Override
        public void close() {
            try {
                pool.shutdown().await(new Timeout(Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static final class Pooled extends BasePoolable {
            final Res res;

            Pooled(Slot slot, Res res) {
                super(slot);
                this.res = res;
            }
        }
    }

    static final class CommonsPool2Subject implements Subject {
        private final GenericObjectPool<Res> pool;

        CommonsPool2Subject(Spike.SlowFactory factory) {
            GenericObjectPoolConfig<Res> cfg = new GenericObjectPoolConfig<>();
            cfg.setMaxTotal(Spike.MAX_SIZE);
            cfg.setMaxIdle(Spike.MAX_SIZE);
            cfg.setMinIdle(Spike.MIN_IDLE);
            cfg.setJmxEnabled(false);
            pool = new GenericObjectPool<>(new BasePooledObjectFactory<>() {
                @Override
                public Res create() {
                    return factory.create();
                }

                @Override
                public PooledObject<Res> wrap(Res res) {
                    return new DefaultPooledObject<>(res);
                }
            }, cfg);
        }

        @Override
        public void awaitReady() throws Exception {
            pool.preparePool();
        }

        @Override
        public Object acquire(Duration timeout) throws Exception {
            return pool.borrowObject(timeout);
        }

        @Override
        public void release(Object handle) {
            pool.returnObject((Res) handle);
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /**
     * HikariCP's bag, and around it a model of what HikariPool does when the bag runs dry: the bag
     * calls {@code addBagItem(waiting)}; a create is queued on the single adder thread while the
     * waiters outnumber the queued creates; the adder creates only while the pool has room and
     * waiters exceed idle entries (or idle is below minimumIdle).
     */
    static final class HikariBagSubject implements Subject {
        private final Spike.SlowFactory factory;
        private final ThreadPoolExecutor adder;
        private final ConcurrentBag<BagEntry> bag;

        HikariBagSubject(Spike.SlowFactory factory) {
            this.factory = factory;
            adder = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(Spike.MAX_SIZE), r -> {
                Thread t = new Thread(r, "spike-hikari-adder");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
            bag = new ConcurrentBag<>(this::addBagItem);
        }

        private void addBagItem(int waiting) {
            if (waiting > adder.getQueue().size()) {
                adder.execute(this::createIfWanted);
            }
        }

        private int idle() {
            return bag.getCount(ConcurrentBag.IConcurrentBagEntry.STATE_NOT_IN_USE);
        }

        private void createIfWanted() {
            int idle = idle();
            if (bag.size() < Spike.MAX_SIZE && (idle < Spike.MIN_IDLE || bag.getWaitingThreadCount() > idle)) {
                bag.add(new BagEntry(factory.create()));
            }
        }

        @Override
        public void awaitReady() throws InterruptedException {
            for (int i = 0; i < Spike.MIN_IDLE; i++) {
                adder.execute(this::createIfWanted);
            }
            awaitCount("hikariBag", this::idle, Spike.MIN_IDLE, Duration.ofSeconds(10));
        }

        @Override
        public Object acquire(Duration timeout) throws InterruptedException {
            BagEntry entry = bag.borrow(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (entry == null) {
                throw new IllegalStateException("hikariBag: borrow timed out");
            }
            return entry;
        }

        @Override
        public void release(Object handle) {
            bag.requite((BagEntry) handle);
        }

        @Override
        public void close() {
            adder.shutdownNow();
            bag.close();
        }
    }

    static final class ViburSubject implements Subject {
        private final ConcurrentPool<Res> pool;

        ViburSubject(Spike.SlowFactory factory) {
            pool = new ConcurrentPool<>(new ConcurrentLinkedDequeCollection<>(), new PoolObjectFactory<>() {
                @Override
                public Res create() {
                    return factory.create();
                }

                @Override
                public boolean readyToTake(Res res) {
                    return true;
                }

                @Override
                public boolean readyToRestore(Res res) {
                    return true;
                }

                @Override
                public void destroy(Res res) {
                }
            }, Spike.MIN_IDLE, Spike.MAX_SIZE, true);
        }

        @Override
        public void awaitReady() {
            // initialSize objects are created by the constructor.
        }

        @Override
        public Object acquire(Duration timeout) {
            Res res = pool.tryTake(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (res == null) {
                throw new IllegalStateException("vibur: take timed out");
            }
            return res;
        }

        @Override
        public void release(Object handle) {
            pool.restore((Res) handle);
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
