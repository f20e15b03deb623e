package io.poolkit.internal;

import io.poolkit.DestroyReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One place in a pool's slot table, holding at most one resource at a time.
 *
 * <p>{@link #word} packs a stamp and a state: {@code stamp << 3 | state}, with the states EMPTY,
 * CREATING, LIVE, DESTROYING and CHECKING. A LIVE resource is idle or leased, and
 * {@link #returned} tells which: it is idle when {@code returned == word}. A claim CASes the word to
 * the next stamp (so {@code returned} no longer matches: leased); a return is one release store of
 * that word into {@code returned}. So the return path writes a field no other thread ever CASes:
 * shutdown may force a leased slot's word to DESTROYING at any moment, and a return racing with it
 * only makes a word nobody will claim look returned.
 *
 * <p>A lease is identified by the exact word it was issued with: a second close, or a close after
 * shutdown took the slot, finds {@code returned} already equal, or another word, and does nothing.
 * The check reads {@code returned} first and then {@code word} (see {@link #isLeasedBy(long)}): in
 * the other order a stale close racing another thread's claim and return passes it.
 *
 * <p>Ownership: the thread that claimed the slot (or moved it to CREATING, CHECKING or DESTROYING)
 * owns its plain fields until it returns it or moves the word on; the release store (or CAS)
 * publishes them.
 */
class SlotFields<T> extends SlotPadLeft {
    static final int EMPTY = 0;
    static final int CREATING = 1;
    /** In the word: a live resource, idle or leased per {@link #returned}. As a kind: idle. */
    static final int LIVE = 2;
    static final int IDLE = LIVE;
    /** A kind only (never stored in the word): live and not returned. */
    static final int LEASED = 3;
    static final int DESTROYING = 4;
    /** Claimed by background keepalive validation; counted as idle. */
    static final int CHECKING = 5;

    static final long STATE_MASK = 7;
    static final long STAMP_ONE = 8;

    private static final VarHandle WORD;
    private static final VarHandle RETURNED;
    private static final VarHandle EXPIRES_AT;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(SlotFields.class, "word", long.class);
            RETURNED = MethodHandles.lookup().findVarHandle(SlotFields.class, "returned", long.class);
            EXPIRES_AT = MethodHandles.lookup().findVarHandle(SlotFields.class, "expiresAt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    /** The pool's hint table ({@code SlotTable}), which {@link #remember()} writes; null for FIFO. */
    private final Slot<?>[] hints;
    volatile long word;
    /** The word of the last lease returned; equal to {@link #word} while the resource is idle. */
    volatile long returned = -1;

    T resource;
    /** Coarse time the resource was created, and its jittered lifetime in nanos. */
    long bornAt;
    long lifetime;
    /**
     * {@code bornAt + lifetime}, so the fast paths test the lifetime with one load and one compare
     * ({@code now - expiresAt >= 0}); a lifetime of NEVER counts from 2^62 ns (146 years) on. An
     * eviction while leased ({@link #retire(DestroyReason)}) moves it 2^62 ns before {@code bornAt},
     * so the same compare sends that lease's return, and any claim after it, to the checked paths,
     * which read {@link #retire} for the reason: the fast paths test one field, not two. Written
     * plainly by the thread that installs the resource (published by the word), with a volatile
     * store by an eviction; the fast paths read it with a volatile load (a plain load on x86), in
     * place of the volatile load of {@code retire} they had, so a return or claim after the eviction
     * sees it as it saw {@code retire}.
     */
    long expiresAt;
    /** Coarse time it last went idle, or was last validated by keepalive. */
    long idleSince;
    long lastChecked;
    /**
     * Leases the current resource may still have ({@code maxUses} counting down, so the return tests
     * it against zero), and leases of every resource this slot ever held (summed by stats).
     */
    long usesLeft;
    long leases;
    /**
     * The hint entry to name this slot in when its current lease comes back, or -1: set by a claim
     * that found it by a scan (its hint named another slot), cleared by the return that uses it. A
     * claim through the hint leaves it -1, so the common return reads one field and writes nothing.
     */
    int hintAt = -1;
    /**
     * The word and coarse start of the current lease, written by the thread that checks the slot
     * out and read back by that thread to make the lease (see {@code CorePool.leaseOf}).
     */
    long lent;
    long lentAt;
    /** Precise time of the current lease, kept only while listeners are registered or it waited. */
    long leasedAtPrecise;
    /** The lease word {@link #leasedAtPrecise} was taken for (a fast-path acquire does not take it). */
    long preciseFor;
    /** The current lease's leak-tracking record, kept only while leak detection is on. */
    volatile LeakInfo leak;
    /**
     * Set when the resource must go at its next return (evicted while leased), always through
     * {@link #retire(DestroyReason)}, which also moves {@link #expiresAt} into the past.
     */
    volatile DestroyReason retire;

    SlotFields(int index, Slot<?>[] hints) {
        this.index = index;
        this.hints = hints;
    }

    /** The state stored in a word: EMPTY, CREATING, LIVE, DESTROYING or CHECKING. */
    static int state(long word) {
        return (int) (word & STATE_MASK);
    }

    static long with(long word, int state) {
        return (word & ~STATE_MASK) | state;
    }

    /** This slot's kind now: EMPTY, CREATING, IDLE, LEASED, DESTROYING or CHECKING. */
    int kind() {
        return kindOf(word);
    }

    /** The kind of this slot when its word is {@code w}. */
    int kindOf(long w) {
        int st = state(w);
        return st != LIVE ? st : returned == w ? IDLE : LEASED;
    }

    /**
     * Whether {@code lease} is this slot's current, unreturned lease. Reads {@link #returned} before
     * {@link #word}, never the other way round: read word first, and a stale lease's close could see
     * the word still equal to its own (idle after its first close), then another thread claim and
     * return the slot, and then {@code returned} holding the other lease's word — "mine, not
     * returned" — and return the slot a second time (an ABA). Both fields only move forward (a word's
     * stamp never falls, and {@code returned} is only ever set to a word the slot has had), so once
     * {@code returned} has reached {@code lease} it is never behind it again, and a {@code returned}
     * past {@code lease} means the word is past it too.
     */
    boolean isLeasedBy(long lease) {
        long r = returned;
        return r != lease && word == lease;
    }

    /**
     * Marks the resource to go at its next return: the reason first, then {@link #expiresAt} far in
     * the past, both volatile, so whoever sees the second sees the first. A mark that races with a
     * destroy and a new install of this slot (the eviction read the slot as leased, and its lease came
     * back and was destroyed meanwhile) can retire the new resource early, as {@code retire} alone
     * could, or, interleaved with the install, leave it unmarked but on the checked paths, which then
     * lease it as usual: never a lease of a resource that should have gone.
     */
    void retire(DestroyReason reason) {
        retire = reason;
        EXPIRES_AT.setVolatile(this, bornAt - (1L << 62));
    }

    /**
     * The fast paths' one test of lifetime and eviction: whether the resource is past
     * {@link #expiresAt} at coarse time {@code now} (or was evicted while leased).
     */
    boolean expired(long now) {
        return now - (long) EXPIRES_AT.getVolatile(this) >= 0;
    }

    boolean cas(long expected, long next) {
        return WORD.compareAndSet(this, expected, next);
    }

    /** {@link #claimForLease()}, returning the claim's word (state LIVE, as it was), or 0. */
    long tryClaim() {
        return claimForLease() ? lent : 0;
    }

    /**
     * Claims this slot if it is idle; on success the claim's word is in {@link #lent}, where the
     * claiming thread makes its lease from (a boolean result keeps the fast path's test to one flag).
     */
    boolean claimForLease() {
        long w = word;
        if ((w & STATE_MASK) == LIVE && returned == w) {
            long c = w + STAMP_ONE;
            // compareAndExchange, not compareAndSet: the JIT branches on the witness (a compare)
            // instead of turning the CAS's flag into a boolean and testing that
            if ((long) WORD.compareAndExchange(this, w, c) == w) {
                lent = c;
                return true;
            }
        }
        return false;
    }

    /**
     * This slot's lease is coming back, before the store that makes it idle: when its claim found it
     * by a scan, the claiming thread's hint now names it (LIFO without a ThreadLocal). One load and a
     * test when the claim came through the hint.
     */
    void remember() {
        int e = hintAt;
        if (e >= 0) {
            hintAt = -1;
            hints[e] = (Slot<?>) this;
        }
    }

    /** The fast return: one release store, no atomic read-modify-write (see the class notes). */
    void returnLazily(long lease) {
        RETURNED.setRelease(this, lease);
    }

    /** A return from a slow path, with a full fence: whoever queues next surely sees it. */
    void markReturned(long lease) {
        returned = lease;
    }

    /** Publishes a freshly created resource as idle; the caller owns the slot in CREATING. */
    void publish(long creating) {
        long live = with(creating + STAMP_ONE, LIVE);
        returned = live;
        word = live;
    }

    /**
     * Makes a freshly created resource live and claimed by the caller, who owns the slot in CREATING:
     * it goes straight to a waiter (or, through a return, to idle). Returns the claim's word.
     */
    long publishClaimed(long creating) {
        long live = with(creating + STAMP_ONE, LIVE);
        word = live; // returned still holds an older word: leased, never idle for a moment
        return live;
    }

    /** Installs a freshly created resource; the caller owns the slot in CREATING. */
    void install(T created, long now, long jitteredLifetime, long maxUses) {
        resource = created;
        bornAt = now;
        lifetime = jitteredLifetime;
        expiresAt = now + Math.min(jitteredLifetime, 1L << 62);
        idleSince = now;
        lastChecked = now;
        usesLeft = maxUses;
        retire = null;
        leak = null;
    }

    /** Forgets the resource before the slot goes back to EMPTY. */
    void clear() {
        resource = null;
        leak = null;
        retire = null;
    }

    @Override
    public String toString() {
        return "slot " + index;
    }
}

/** Padding before a slot's fields, so two slots allocated side by side never share a cache line. */
abstract class SlotPadLeft {
    long p01, p02, p03, p04, p05, p06, p07, p08;
}

/** A slot (see {@link SlotFields}) with padding after its fields. */
final class Slot<T> extends SlotFields<T> {
    long q01, q02, q03, q04, q05, q06, q07, q08;

    Slot(int index, Slot<?>[] hints) {
        super(index, hints);
    }
}
