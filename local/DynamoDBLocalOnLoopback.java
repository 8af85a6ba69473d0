/*
 * Runs DynamoDB Local listening on one loopback address instead of every interface.
 *
 * Why this file exists: DynamoDB Local has no option for its listen address. Its server is a
 * Jetty `new Server(port)`, whose connector binds the wildcard address, so anyone who can reach
 * the machine could read and change every local table, bypassing the service and its --auth.
 * This launcher lets DynamoDB Local parse its own command line and build its server as usual
 * (ServerRunner.createServerFromCommandLineArgs, the code path of the jar's own main), then,
 * before anything is bound, sets the host of that server's Jetty connector, starts it and checks
 * the address the socket really got. Any surprise (a field renamed in a newer jar, another
 * connector type, a non-loopback address) ends the process instead of listening more widely.
 *
 * local/dynamodb-local.ts compiles it once (local/java.ts, cached under node_modules/.cache) and
 * runs it with the jar on the class path:
 *   java -cp DynamoDBLocal.jar:<classes> DynamoDBLocalOnLoopback 127.0.0.1 -port 8000 -inMemory ...
 */
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDBLocalOnLoopback {
  public static void main(String[] args) {
    try {
      run(args);
    } catch (Exception error) {
      System.err.println("DynamoDBLocalOnLoopback: " + error);
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length == 0) throw new IllegalArgumentException("usage: <loopback address> [DynamoDB Local options]");
    InetAddress host = InetAddress.getByName(args[0]);
    if (!host.isLoopbackAddress()) throw new IllegalArgumentException(args[0] + " is not a loopback address");

    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    // The Jetty server is a private field without accessor; the jar's classes are in the unnamed
    // module, whose packages are open to reflection.
    Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
    serverField.setAccessible(true);
    Server jetty = (Server) serverField.get(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's Jetty server has no connector");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector serverConnector)) {
        throw new IllegalStateException("cannot set the address of a " + connector.getClass().getName());
      }
      serverConnector.setHost(host.getHostAddress());
    }

    // DynamoDB Local's own start(): on a bind error (port taken) it prints why and stops Jetty,
    // which leaves the channel closed; the check below then ends the process.
    proxy.start();
    for (Connector connector : connectors) {
      Object channel = ((ServerConnector) connector).getTransport();
      if (!(channel instanceof ServerSocketChannel socket) || !socket.isOpen()) {
        throw new IllegalStateException("DynamoDB Local did not open its port");
      }
      InetSocketAddress bound = (InetSocketAddress) socket.getLocalAddress();
      if (!bound.getAddress().isLoopbackAddress()) {
        throw new IllegalStateException("DynamoDB Local listens on " + bound + ", not on loopback");
      }
      System.out.println("DynamoDB Local listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
    }
  }
}
