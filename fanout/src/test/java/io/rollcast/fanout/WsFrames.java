package io.rollcast.fanout;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A WebSocket client listener for the tests: whole text frames into {@link #frames}, and the close
 * (code, reason, arrival time in epoch ms) or the error into {@link #closed}.
 */
final class WsFrames implements WebSocket.Listener {
    /** How the server closed the socket. */
    record Close(int code, String reason, long atMs) {}

    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder part = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        part.append(data);
        if (last) {
            frames.add(part.toString());
            part.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason, System.currentTimeMillis()));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
    }
}
