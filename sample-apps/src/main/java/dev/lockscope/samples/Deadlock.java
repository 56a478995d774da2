package dev.lockscope.samples;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bank transfers that lock the source account, then the target. Thread i always moves money from account i to
 * account i+1 (mod n), so the n threads form a cycle and deadlock within seconds. The sample prints
 * {@code cycle formed at <epoch ms>} the moment the last thread of the cycle starts waiting, so detection
 * latency can be measured from it. Fixed: a global lock order (lower account id first), or
 * {@code --fixed=trylock}: tryLock with a timeout and randomized backoff.
 */
final class Deadlock implements Sample {
    private final int cycle;
    private final long holdMs;
    private final boolean useSynchronized;
    private final String fix;
    private final Account[] accounts;
    private final AtomicInteger waitingForSecond = new AtomicInteger();
    private final AtomicLong transfers = new AtomicLong();
    private final AtomicLong backoffs = new AtomicLong();
    private volatile long cycleFormedAt;

    Deadlock(SampleOptions o) {
        cycle = o.intValue("threads", 2, 2);
        holdMs = o.longValue("hold", 5);
        String lock = o.choice("lock", "synchronized", "synchronized", "reentrant");
        fix = o.fixed() ? o.fixedVariant() : "none";
        if (!"none".equals(fix) && !"default".equals(fix) && !"order".equals(fix) && !"trylock".equals(fix)) {
            throw new IllegalArgumentException("--fixed=" + fix + " is not one of order, trylock");
        }
        if ("trylock".equals(fix) && "synchronized".equals(lock)) {
            throw new IllegalArgumentException("--fixed=trylock needs --lock=reentrant (synchronized has no tryLock)");
        }
        useSynchronized = "synchronized".equals(lock);
        accounts = new Account[cycle];
        for (int i = 0; i < cycle; i++) {
            accounts[i] = new Account(i, 1_000);
        }
    }

    @Override
    public String describe() {
        return cycle + "-thread cycle over " + (useSynchronized ? "synchronized" : "ReentrantLock") + ", hold "
                + holdMs + "ms, fix: " + fix;
    }

    @Override
    public void start() {
        for (int i = 0; i < cycle; i++) {
            Account from = accounts[i];
            Account to = accounts[(i + 1) % cycle];
            Thread t = new Thread(() -> {
                while (true) {
                    transfer(from, to, 1);
                }
            }, "transfer-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    private void transfer(Account from, Account to, int amount) {
        switch (fix) {
            case "none" -> lockBoth(from, to, amount);
            case "trylock" -> tryLockBoth(from, to, amount);
            default -> lockBoth(from.id < to.id ? from : to, from.id < to.id ? to : from,
                    from.id < to.id ? amount : -amount); // global order: lower id first
        }
    }

    /** Takes {@code first} then {@code second}, moving {@code amount} from first to second. */
    private void lockBoth(Account first, Account second, int amount) {
        if (useSynchronized) {
            synchronized (first) {
                Sleep.millis(holdMs);
                announceWaiting();
                synchronized (second) {
                    waitingForSecond.decrementAndGet();
                    move(first, second, amount);
                }
            }
        } else {
            first.lock.lock();
            try {
                Sleep.millis(holdMs);
                announceWaiting();
                second.lock.lock();
                try {
                    waitingForSecond.decrementAndGet();
                    move(first, second, amount);
                } finally {
                    second.lock.unlock();
                }
            } finally {
                first.lock.unlock();
            }
        }
    }

    private void tryLockBoth(Account from, Account to, int amount) {
        try {
            if (from.lock.tryLock(50, TimeUnit.MILLISECONDS)) {
                try {
                    Sleep.millis(holdMs);
                    if (to.lock.tryLock(50, TimeUnit.MILLISECONDS)) {
                        try {
                            move(from, to, amount);
                            return;
                        } finally {
                            to.lock.unlock();
                        }
                    }
                } finally {
                    from.lock.unlock();
                }
            }
            backoffs.incrementAndGet();
            Sleep.millis(ThreadLocalRandom.current().nextLong(1, 20)); // randomized backoff breaks the symmetry
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** When every thread of the cycle holds its first lock and waits for its second, none can ever proceed. */
    private void announceWaiting() {
        if (waitingForSecond.incrementAndGet() == cycle && "none".equals(fix)) {
            cycleFormedAt = System.currentTimeMillis();
            System.out.println("deadlock: cycle formed at " + cycleFormedAt);
        }
    }

    private void move(Account from, Account to, int amount) {
        from.balance -= amount;
        to.balance += amount;
        transfers.incrementAndGet();
    }

    @Override
    public String report() {
        return "deadlock: transfers=" + transfers.get() + " backoffs=" + backoffs.get()
                + (cycleFormedAt > 0 ? " DEADLOCKED since " + cycleFormedAt : "");
    }

    private static final class Account {
        final int id;
        final ReentrantLock lock = new ReentrantLock();
        long balance;

        Account(int id, long balance) {
            this.id = id;
            this.balance = balance;
        }
    }
}
