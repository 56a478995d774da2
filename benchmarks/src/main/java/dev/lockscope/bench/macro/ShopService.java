package dev.lockscope.bench.macro;

import io.javalin.Javalin;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The workload of the macro overhead harness: a small shop service on Javalin with what real services have and
 * what the agent watches — a shared cache behind a {@code synchronized} LRU map (contended monitor), an order
 * pool ({@link ThreadPoolExecutor}) the request threads hand work to and wait on, a stock table behind a
 * {@link ReentrantLock} taken inside that pool, and per-route statistics behind a {@link ReentrantReadWriteLock}.
 *
 * <p>Routes: {@code GET /item/{id}} (cache; a miss computes the item, ~20 % of requests), {@code POST
 * /checkout/{id}} (order pool + stock lock), {@code GET /stats}, and {@code GET /_meter} for the harness:
 * {@code cpuNs allocatedBytes} of the whole process since start.
 *
 * <p>Usage: {@code ShopService [port]}; prints {@code ready <ms>} — JVM start to accepting requests — once
 * the server listens, then runs until killed.
 */
public final class ShopService {
    private static final int CACHE_SIZE = 2_000;

    private final Map<Integer, String> cache = new LinkedHashMap<>(CACHE_SIZE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private final ReentrantLock stockLock = new ReentrantLock();
    private final long[] stock = new long[1_000];
    private final ReentrantReadWriteLock statsLock = new ReentrantReadWriteLock();
    private final Map<String, Long> hits = new HashMap<>();
    private final ThreadPoolExecutor orders = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), named("orders-"), new ThreadPoolExecutor.CallerRunsPolicy());

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        AllocationMeter meter = AllocationMeter.install();
        ShopService shop = new ShopService();
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.get("/item/{id}", ctx -> ctx.result(shop.item(Integer.parseInt(ctx.pathParam("id")))));
            c.routes.post("/checkout/{id}", ctx -> ctx.result(shop.checkout(Integer.parseInt(ctx.pathParam("id")))));
            c.routes.get("/stats", ctx -> ctx.result(shop.stats()));
            c.routes.get("/_meter", ctx -> ctx.result(meter.cpuNs() + " " + meter.allocatedBytes()));
        }).start("127.0.0.1", port);
        long ready = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("ready " + ready + " port " + app.port());
        System.out.flush();
    }

    String item(int id) {
        String hit;
        synchronized (cache) {
            hit = cache.get(id);
        }
        count("item");
        if (hit != null) {
            return hit;
        }
        String made = describe(id);
        synchronized (cache) {
            cache.put(id, made);
        }
        return made;
    }

    String checkout(int id) throws Exception {
        Future<String> f = orders.submit(() -> {
            stockLock.lock();
            try {
                int slot = Math.floorMod(id, stock.length);
                stock[slot]++;
                // A little work inside the critical section, as a real reservation would do.
                long h = stock[slot];
                for (int i = 0; i < 200; i++) {
                    h = h * 31 + i;
                }
                return "order " + id + " " + (h & 0xff);
            } finally {
                stockLock.unlock();
            }
        });
        count("checkout");
        return f.get(10, TimeUnit.SECONDS);
    }

    String stats() {
        statsLock.readLock().lock();
        try {
            return hits.toString();
        } finally {
            statsLock.readLock().unlock();
        }
    }

    private void count(String route) {
        statsLock.writeLock().lock();
        try {
            hits.merge(route, 1L, Long::sum);
        } finally {
            statsLock.writeLock().unlock();
        }
    }

    /** The cache's expensive part: some hashing and a string, as rendering an item from a database row would. */
    private static String describe(int id) {
        long h = id;
        for (int i = 0; i < 20_000; i++) {
            h = h * 6364136223846793005L + 1442695040888963407L;
        }
        return "{\"id\":" + id + ",\"name\":\"item-" + id + "\",\"price\":" + Math.floorMod(h, 10_000) + "}";
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
