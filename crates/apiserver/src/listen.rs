//! HTTP/1.1 over a TCP listener, as much as Kubernetes clients use: keep-alive
//! connections, bodies by `Content-Length`, answers by `Content-Length`, and
//! watches as chunked streams flushed event by event. One thread per
//! connection; a ticker moves a wall clock's virtual time.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::{ApiServer, Body, Request, Response};

/// The most a request line and its headers may take.
const MAX_HEAD: usize = 64 * 1024;
/// The largest body accepted (the API server's own limit is 3 MiB for most
/// objects; manifests with CRDs need more).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How often the clock is looked at between requests.
const TICK: Duration = Duration::from_millis(20);

/// A server listening on a socket.
pub struct Listener {
    listener: TcpListener,
    server: Arc<ApiServer>,
}

/// Binds `address` (loopback, say `127.0.0.1:8001`; port 0 picks one).
pub fn listen(server: Arc<ApiServer>, address: &str) -> io::Result<Listener> {
    let listener = TcpListener::bind(address)?;
    Ok(Listener { listener, server })
}

impl Listener {
    pub fn address(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub fn run(self) {
        let ticker = Arc::clone(&self.server);
        thread::spawn(move || loop {
            thread::sleep(TICK);
            ticker.tick();
        });
        for (connection, stream) in (1..).zip(self.listener.incoming().flatten()) {
            let server = Arc::clone(&self.server);
            thread::spawn(move || {
                // A client that goes away mid-request is no error of ours.
                let _ = serve_connection(&server, stream, connection);
                server.closed(connection);
            });
        }
    }

    /// Serves on a background thread (for tests).
    pub fn spawn(self) -> io::Result<SocketAddr> {
        let address = self.address()?;
        thread::spawn(move || self.run());
        Ok(address)
    }
}

fn serve_connection(server: &Arc<ApiServer>, stream: TcpStream, connection: u64) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request = match read_request(&mut reader)? {
            Some(request) => request,
            None => return Ok(()),
        };
        request.connection = connection;
        let close = request
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let response = server.handle(&request);
        write_response(server, &mut writer, response)?;
        if close {
            return Ok(());
        }
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

/// Reads one request; `None` when the client closed the connection.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.take(MAX_HEAD as u64).read_until(b'\n', &mut line)?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(invalid("connection closed mid-request"))
            };
        }
        if head.is_empty() && (line == b"\r\n" || line == b"\n") {
            continue;
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD {
            return Err(invalid("request head too large"));
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut request = Request {
        method,
        path: percent_decode(path),
        query: parse_query(query),
        headers,
        ..Request::default()
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        request.body = read_chunked(reader)?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("bad Content-Length"))?;
        if length > MAX_BODY {
            return Err(invalid("request body too large"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(Some(request))
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line)?;
        let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| invalid("bad chunk size"))?;
        if size == 0 {
            // The last chunk has no data: trailers, if any, then an empty line.
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(invalid("request body too large"));
        }
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        chunk.truncate(size);
        body.extend_from_slice(&chunk);
    }
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    }
}

fn write_response(
    server: &ApiServer,
    writer: &mut TcpStream,
    response: Response,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nCache-Control: no-cache, private\r\n",
        response.code,
        reason_phrase(response.code),
        response.content_type
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match response.body {
        Body::Bytes(bytes) => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", bytes.len()));
            writer.write_all(head.as_bytes())?;
            writer.write_all(&bytes)?;
            writer.flush()
        }
        Body::Watch(mut stream) => {
            head.push_str("Transfer-Encoding: chunked\r\n\r\n");
            server.watch_started(true);
            // The client hangs up (kubectl has what it waited for): a peek
            // finds the end of its side of the connection.
            let probe = writer.try_clone()?;
            probe.set_read_timeout(Some(Duration::from_millis(1)))?;
            let hung_up = move || match probe.peek(&mut [0u8]) {
                Ok(n) => n == 0,
                Err(e) => !matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ),
            };
            let streamed = (|| {
                writer.write_all(head.as_bytes())?;
                writer.flush()?;
                while let Some(line) = stream.next_line(&hung_up) {
                    write!(writer, "{:x}\r\n", line.len())?;
                    writer.write_all(&line)?;
                    writer.write_all(b"\r\n")?;
                    writer.flush()?;
                    server.watch_sent();
                }
                writer.write_all(b"0\r\n\r\n")?;
                writer.flush()
            })();
            server.watch_started(false);
            writer.set_read_timeout(None)?;
            streamed
        }
    }
}

/// `a=1&b=x%2Cy` into its decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        assert_eq!(
            parse_query("labelSelector=app%3Dagent%2Ctier+in+%28web%29&watch=1"),
            [
                (
                    "labelSelector".to_string(),
                    "app=agent,tier in (web)".to_string()
                ),
                ("watch".to_string(), "1".to_string())
            ]
        );
    }

    #[test]
    fn requests_are_read_with_their_bodies() {
        let raw = b"PATCH /api/v1/nodes/a?fieldManager=kubectl HTTP/1.1\r\nHost: x\r\nContent-Type: application/merge-patch+json\r\nContent-Length: 2\r\n\r\n{}GET /version HTTP/1.1\r\n\r\n";
        let mut reader = BufReader::new(&raw[..]);
        let first = read_request(&mut reader).ok().flatten();
        let first = first.as_ref();
        assert_eq!(first.map(|r| r.method.as_str()), Some("PATCH"));
        assert_eq!(first.map(|r| r.body.as_slice()), Some(&b"{}"[..]));
        assert_eq!(
            first.and_then(|r| r.header("Content-Type")),
            Some("application/merge-patch+json")
        );
        let second = read_request(&mut reader).ok().flatten();
        assert_eq!(second.map(|r| r.path), Some("/version".to_string()));
        assert!(matches!(read_request(&mut reader), Ok(None)));
    }

    #[test]
    fn chunked_bodies_end_at_the_last_chunk() {
        // As kubectl sends a body read from stdin: the request after it must
        // be read at once, not wait for more input.
        let raw = b"POST /daemonlab/sim HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nset\r\n4\r\ntle \r\n0\r\n\r\nGET /version HTTP/1.1\r\n\r\n";
        let mut reader = BufReader::new(&raw[..]);
        let first = read_request(&mut reader).ok().flatten();
        assert_eq!(first.map(|r| r.body), Some(b"settle ".to_vec()));
        let second = read_request(&mut reader).ok().flatten();
        assert_eq!(second.map(|r| r.path), Some("/version".to_string()));
    }
}
