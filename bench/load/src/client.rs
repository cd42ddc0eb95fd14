//! One HTTP/1.1 keep-alive connection per worker, reopened if the server closes it.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where the server is: `http://HOST:PORT` (plain HTTP only; the bench talks to a server on
/// this machine).
#[derive(Debug, Clone)]
pub struct Target {
    address: SocketAddr,
    authority: HeaderValue,
}

impl Target {
    pub async fn parse(base_url: &str) -> anyhow::Result<Self> {
        let authority = base_url
            .strip_prefix("http://")
            .with_context(|| format!("{base_url}: only http:// base URLs are supported"))?
            .trim_end_matches('/');
        if authority.contains('/') {
            bail!("{base_url}: give the server's root, e.g. http://127.0.0.1:8080");
        }
        let address = tokio::net::lookup_host(authority)
            .await
            .with_context(|| format!("resolving {authority}"))?
            .next()
            .with_context(|| format!("{authority} resolves to no address"))?;
        Ok(Self {
            address,
            authority: HeaderValue::from_str(authority)?,
        })
    }
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: Bytes,
}

/// A worker's connection.
#[derive(Debug)]
pub struct Connection {
    target: Target,
    bearer: Option<HeaderValue>,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many times the connection was (re)opened.
    pub connects: u64,
}

impl Connection {
    pub fn new(target: Target, token: Option<&str>) -> anyhow::Result<Self> {
        let bearer = token
            .map(|token| HeaderValue::from_str(&format!("Bearer {token}")))
            .transpose()?;
        Ok(Self {
            target,
            bearer,
            sender: None,
            connects: 0,
        })
    }

    async fn open(&mut self) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        let stream = TcpStream::connect(self.target.address)
            .await
            .with_context(|| format!("connecting to {}", self.target.address))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // The connection ends when the server closes it or the worker drops the sender.
            let _ = connection.await;
        });
        self.connects += 1;
        Ok(sender)
    }

    /// Sends one request and reads the whole answer.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&'static str, &str)],
        body: Option<Bytes>,
    ) -> anyhow::Result<Answer> {
        let mut sender = match self.sender.take() {
            Some(sender) if !sender.is_closed() => sender,
            _ => self.open().await?,
        };
        sender.ready().await?;
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.target.authority.clone());
        if let Some(bearer) = &self.bearer {
            request = request.header(AUTHORIZATION, bearer.clone());
        }
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(body.unwrap_or_default()))?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let content_type = response.headers().get(CONTENT_TYPE).cloned();
        let body = response.into_body().collect().await?.to_bytes();
        self.sender = Some(sender);
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }
}
