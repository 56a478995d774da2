package dev.lockscope.bench.macro;

import dev.lockscope.bench.Args;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * HTTP/1.1 load generator for {@link ShopService}, meant to run in its own process on its own core: a fixed
 * number of keep-alive connections, each on its own thread, sending 80 % {@code GET /item/{id}} and 20 %
 * {@code POST /checkout/{id}}.
 *
 * <p>{@code rate=0} (default) is a closed loop: each connection sends its next request when the previous one
 * answered (throughput at saturation). {@code rate=R} is an open loop at R requests/s in total; latency is then
 * measured from when a request was <em>due</em>, not when it was sent, so a stalled server is not hidden
 * (coordinated omission).
 *
 * <p>Usage: {@code LoadGenerator port=P [concurrency=16] [rate=0] [warmup=25] [duration=15]} (seconds). Reads the
 * service's {@code /_meter} at the start and the end of the measured window and prints one line:
 * {@code result throughput=… meanUs=… p99Us=… requests=… errors=… cpuNs=… allocBytes=…}.
 */
public final class LoadGenerator {
    private static final int KEYS = 10_000;

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Args.parse(args);
        int port = Integer.parseInt(o.get("port"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
        double rate = Double.parseDouble(o.getOrDefault("rate", "0"));
        long warmupNs = (long) (Double.parseDouble(o.getOrDefault("warmup", "25")) * 1e9);
        long durationNs = (long) (Double.parseDouble(o.getOrDefault("duration", "15")) * 1e9);

        long start = System.nanoTime();
        long measureFrom = start + warmupNs;
        long measureTo = measureFrom + durationNs;
        AtomicLong errors = new AtomicLong();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            long intervalNs = rate > 0 ? (long) (concurrency * 1e9 / rate) : 0;
            Worker w = new Worker(port, i, intervalNs, start, measureFrom, measureTo, errors);
            workers.add(w);
            w.thread.start();
        }
        sleepUntil(measureFrom);
        String m0 = meter(port);
        System.out.println("measuring");
        sleepUntil(measureTo);
        String m1 = meter(port);
        Histogram all = new Histogram(3_600_000_000L, 3);
        for (Worker w : workers) {
            w.thread.join();
            all.add(w.histogram);
        }
        String[] a = m0.split(" ");
        String[] b = m1.split(" ");
        double seconds = durationNs / 1e9;
        System.out.printf("result throughput=%.1f meanUs=%.1f p99Us=%d requests=%d errors=%d cpuNs=%d allocBytes=%d%n",
                all.getTotalCount() / seconds, all.getMean(), all.getValueAtPercentile(99), all.getTotalCount(),
                errors.get(), Long.parseLong(b[0]) - Long.parseLong(a[0]), Long.parseLong(b[1]) - Long.parseLong(a[1]));
    }

    private static String meter(int port) throws IOException {
        try (Connection c = new Connection(port)) {
            return c.exchange("GET /_meter HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").trim();
        }
    }

    static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private static final class Worker implements Runnable {
        final Thread thread = new Thread(this, "load");
        final Histogram histogram = new Histogram(3_600_000_000L, 3);
        private final int port;
        private final long intervalNs;
        private final long start;
        private final long measureFrom;
        private final long measureTo;
        private final AtomicLong errors;
        private final SplittableRandom random;

        Worker(int port, int index, long intervalNs, long start, long measureFrom, long measureTo, AtomicLong errors) {
            this.port = port;
            this.intervalNs = intervalNs;
            this.start = start;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
            this.errors = errors;
            this.random = new SplittableRandom(index * 7919L + 1);
        }

        @Override
        public void run() {
            // Stagger open-loop connections over one interval so the rate is smooth, not in bursts.
            long due = start + (intervalNs == 0 ? 0 : random.nextLong(intervalNs));
            Connection c = null;
            while (true) {
                if (intervalNs > 0) {
                    sleepUntil(due);
                }
                long sent = intervalNs > 0 ? due : System.nanoTime();
                if (sent >= measureTo) {
                    break;
                }
                try {
                    if (c == null) {
                        c = new Connection(port);
                    }
                    int key = random.nextInt(KEYS);
                    String request = random.nextInt(5) == 0
                            ? "POST /checkout/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
                            : "GET /item/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                    c.exchange(request);
                    long done = System.nanoTime();
                    if (done >= measureFrom && done < measureTo) {
                        histogram.recordValue(Math.max(1, (done - sent) / 1000));
                    }
                } catch (IOException | RuntimeException e) {
                    errors.incrementAndGet();
                    if (c != null) {
                        c.close();
                        c = null;
                    }
                    LockSupport.parkNanos(10_000_000);
                }
                due += intervalNs;
            }
            if (c != null) {
                c.close();
            }
        }
    }

    /** One keep-alive HTTP/1.1 connection; reads Content-Length and chunked bodies. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket = new Socket();
        private final OutputStream out;
        private final InputStream in;

        Connection(int port) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        String exchange(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IOException("unexpected response: " + status);
            }
            int length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                StringBuilder body = new StringBuilder();
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                    line();
                }
                line();
                return body.toString();
            }
            if (length < 0) {
                throw new IOException("response without a length");
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
