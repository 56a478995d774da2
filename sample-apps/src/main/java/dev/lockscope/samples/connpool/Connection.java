package dev.lockscope.samples.connpool;

/** A pooled "database connection": a query takes the given time, as a round trip to a database would. */
public final class Connection {
    private final int id;

    Connection(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public void query(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
