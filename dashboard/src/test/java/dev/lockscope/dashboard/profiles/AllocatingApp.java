package dev.lockscope.dashboard.profiles;

/** Test program: allocates byte arrays in one known method, {@link #allocate}, and keeps few of them alive. */
public final class AllocatingApp {
    static volatile Object keep;

    public static void main(String[] args) throws Exception {
        Thread t = new Thread(() -> {
            long n = 0;
            while (true) {
                keep = allocate(n++);
                if ((n & 1023) == 0) {
                    try {
                        Thread.sleep(1); // a steady rate, not a GC storm
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "allocator");
        t.setDaemon(true);
        t.start();
        System.out.println("allocating");
        Thread.sleep(Long.MAX_VALUE);
    }

    static byte[] allocate(long n) {
        byte[] b = new byte[2048];
        b[(int) (n & 2047)] = 1;
        return b;
    }
}
