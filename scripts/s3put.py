#!/usr/bin/env python3
"""Tiny S3 client for the Sluice dev stack (python3 stdlib only, AWS SigV4).

Usage:
  s3put.py LOCAL_FILE s3://bucket/key      upload a file (single streamed PUT)
  s3put.py --list s3://bucket[/prefix]     list keys (one per line)
  s3put.py --get s3://bucket/key LOCAL     download an object (streamed)
  s3put.py --mb s3://bucket                create a bucket (ok if it exists)
  s3put.py --rm s3://bucket/key            delete an object
  s3put.py --check-auth s3://bucket        unsigned request must get 403,
                                           signed ListObjectsV2 must succeed
  s3put.py --probe s3://bucket             write, read back and delete a tiny
                                           object (is the store writable yet?)

Configuration comes from the environment:
  SLUICE_S3_ENDPOINT   e.g. http://127.0.0.1:58333 (path-style addressing)
  SLUICE_S3_REGION     default us-east-1
  SLUICE_S3_ACCESS_KEY / SLUICE_S3_SECRET_KEY
If SLUICE_S3_ENDPOINT is not set, the env file written by `scripts/stack.sh up`
($SLUICE_STATE_DIR/env, default <repo>/.sluice/env) is read instead.

Uploads stream the file from disk: SHA-256 and MD5 are computed in a first
streaming pass (signed payload hash + Content-MD5, so the server verifies the
body), then the file object is handed to http.client with an explicit
Content-Length. Memory use stays flat (~25 MB RSS for a 1 GB file).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

CHUNK = 1 << 20  # 1 MiB read/write blocks
TIMEOUT = 600  # seconds; large single PUTs to a local server can take a while
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class S3Error(Exception):
    pass


# ---------------------------------------------------------------- config


def _load_env_file() -> None:
    """Fill missing SLUICE_* vars from the stack's env file (export K=V lines)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    state = os.environ.get("SLUICE_STATE_DIR") or os.path.join(repo, ".sluice")
    path = os.path.join(state, "env")
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
            if not m:
                continue
            key, val = m.group(1), m.group(2).strip()
            if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                val = val[1:-1]
            os.environ.setdefault(key, val)


def config() -> dict:
    if not os.environ.get("SLUICE_S3_ENDPOINT"):
        _load_env_file()
    cfg = {
        "endpoint": os.environ.get("SLUICE_S3_ENDPOINT", ""),
        "region": os.environ.get("SLUICE_S3_REGION") or "us-east-1",
        "access": os.environ.get("SLUICE_S3_ACCESS_KEY", ""),
        "secret": os.environ.get("SLUICE_S3_SECRET_KEY", ""),
    }
    missing = [k for k in ("endpoint", "access", "secret") if not cfg[k]]
    if missing:
        raise S3Error(
            "missing S3 settings (%s): set SLUICE_S3_ENDPOINT, SLUICE_S3_ACCESS_KEY, "
            "SLUICE_S3_SECRET_KEY or run `scripts/stack.sh up`" % ", ".join(missing)
        )
    u = urllib.parse.urlsplit(cfg["endpoint"])
    if u.scheme not in ("http", "https") or not u.hostname:
        raise S3Error("bad SLUICE_S3_ENDPOINT %r" % cfg["endpoint"])
    cfg["scheme"] = u.scheme
    cfg["host"] = u.hostname
    cfg["port"] = u.port or (443 if u.scheme == "https" else 80)
    # The Host header must match what is signed; omit default ports like AWS does.
    default_port = (u.scheme == "https" and cfg["port"] == 443) or (
        u.scheme == "http" and cfg["port"] == 80
    )
    cfg["host_header"] = u.hostname if default_port else "%s:%d" % (u.hostname, cfg["port"])
    return cfg


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise S3Error("expected s3://bucket/key, got %r" % url)
    bucket, _, key = url[5:].partition("/")
    if not bucket:
        raise S3Error("missing bucket in %r" % url)
    return bucket, key


# ---------------------------------------------------------------- SigV4


def _uri_encode(s: str, keep_slash: bool) -> str:
    return urllib.parse.quote(s, safe="-_.~" + ("/" if keep_slash else ""))


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sign(cfg: dict, method: str, path: str, query: dict, payload_hash: str,
         extra_headers: dict | None = None) -> dict:
    """Return the headers (incl. Authorization) for a SigV4-signed request."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    datestamp = now.strftime("%Y%m%d")
    headers = {
        "host": cfg["host_header"],
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_hash,
    }
    for k, v in (extra_headers or {}).items():
        headers[k.lower()] = str(v).strip()
    canonical_query = "&".join(
        "%s=%s" % (_uri_encode(k, False), _uri_encode(v, False))
        for k, v in sorted(query.items())
    )
    signed = sorted(headers)
    canonical_headers = "".join("%s:%s\n" % (k, headers[k]) for k in signed)
    signed_headers = ";".join(signed)
    canonical_request = "\n".join([
        method, _uri_encode(path, True), canonical_query,
        canonical_headers, signed_headers, payload_hash,
    ])
    scope = "%s/%s/s3/aws4_request" % (datestamp, cfg["region"])
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    k = _hmac(("AWS4" + cfg["secret"]).encode("utf-8"), datestamp)
    k = _hmac(k, cfg["region"])
    k = _hmac(k, "s3")
    k = _hmac(k, "aws4_request")
    signature = hmac.new(k, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
        % (cfg["access"], scope, signed_headers, signature)
    )
    return headers


# ---------------------------------------------------------------- HTTP


def _connect(cfg: dict) -> http.client.HTTPConnection:
    cls = http.client.HTTPSConnection if cfg["scheme"] == "https" else http.client.HTTPConnection
    return cls(cfg["host"], cfg["port"], timeout=TIMEOUT, blocksize=CHUNK)


def _path(bucket: str, key: str = "") -> str:
    return "/" + bucket + ("/" + key if key else "")


def request(cfg: dict, method: str, bucket: str, key: str = "", query: dict | None = None,
            body=None, payload_hash: str = EMPTY_SHA256, extra_headers: dict | None = None,
            signed: bool = True):
    """Send one request; returns (connection, response). Caller reads/closes."""
    query = query or {}
    path = _path(bucket, key)
    if signed:
        headers = sign(cfg, method, path, query, payload_hash, extra_headers)
    else:
        headers = {"host": cfg["host_header"], **(extra_headers or {})}
    url = _uri_encode(path, True)
    if query:
        url += "?" + urllib.parse.urlencode(sorted(query.items()), quote_via=urllib.parse.quote)
    conn = _connect(cfg)
    conn.request(method, url, body=body, headers=headers)
    return conn, conn.getresponse()


def _fail(what: str, resp, body: bytes) -> S3Error:
    text = body.decode("utf-8", "replace").strip()
    return S3Error("%s failed: HTTP %d %s\n%s" % (what, resp.status, resp.reason, text))


def file_digests(path: str) -> tuple[str, str]:
    """(sha256 hex, md5 base64) of a file, read in blocks."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), base64.b64encode(md5.digest()).decode("ascii")


# ---------------------------------------------------------------- commands


def cmd_put(cfg: dict, local: str, url: str) -> None:
    bucket, key = parse_s3_url(url)
    if not key or key.endswith("/"):
        key += os.path.basename(local)
    size = os.path.getsize(local)
    # SeaweedFS does not check x-amz-content-sha256 against the body, but it
    # does reject a wrong Content-MD5 (BadDigest), so send both.
    digest, md5 = file_digests(local)
    with open(local, "rb") as fh:
        conn, resp = request(
            cfg, "PUT", bucket, key, body=fh, payload_hash=digest,
            extra_headers={"content-length": str(size), "content-md5": md5,
                           "content-type": "application/octet-stream"},
        )
        body = resp.read()
        conn.close()
    if resp.status // 100 != 2:
        raise _fail("PUT s3://%s/%s" % (bucket, key), resp, body)
    print("uploaded %s -> s3://%s/%s (%d bytes, sha256 %s)" % (local, bucket, key, size, digest))


def cmd_get(cfg: dict, url: str, local: str) -> None:
    bucket, key = parse_s3_url(url)
    conn, resp = request(cfg, "GET", bucket, key)
    if resp.status != 200:
        body = resp.read()
        conn.close()
        raise _fail("GET %s" % url, resp, body)
    h = hashlib.sha256()
    size = 0
    tmp = local + ".part"
    with open(tmp, "wb") as out:
        for block in iter(lambda: resp.read(CHUNK), b""):
            out.write(block)
            h.update(block)
            size += len(block)
    conn.close()
    os.replace(tmp, local)
    print("downloaded %s -> %s (%d bytes, sha256 %s)" % (url, local, size, h.hexdigest()))


def list_keys(cfg: dict, bucket: str, prefix: str, signed: bool = True):
    """Yield (key, size) for every object under prefix (ListObjectsV2, paginated)."""
    token = None
    while True:
        query = {"list-type": "2"}
        if prefix:
            query["prefix"] = prefix
        if token:
            query["continuation-token"] = token
        conn, resp = request(cfg, "GET", bucket, query=query, signed=signed)
        body = resp.read()
        conn.close()
        if resp.status != 200:
            raise _fail("ListObjectsV2 s3://%s/%s" % (bucket, prefix), resp, body)
        root = ET.fromstring(body)
        ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        for item in root.iter(ns + "Contents"):
            yield item.findtext(ns + "Key"), int(item.findtext(ns + "Size") or 0)
        if (root.findtext(ns + "IsTruncated") or "").lower() != "true":
            return
        token = root.findtext(ns + "NextContinuationToken")
        if not token:
            return


def cmd_list(cfg: dict, url: str) -> None:
    bucket, prefix = parse_s3_url(url)
    for key, _size in list_keys(cfg, bucket, prefix):
        print(key)


def bucket_exists(cfg: dict, bucket: str) -> bool:
    conn, resp = request(cfg, "HEAD", bucket)
    body = resp.read()
    conn.close()
    if resp.status == 200:
        return True
    if resp.status == 404:
        return False
    raise _fail("HeadBucket %s" % bucket, resp, body)


def cmd_mb(cfg: dict, url: str) -> None:
    # HEAD first: after a restart SeaweedFS answers CreateBucket on an existing
    # bucket with 409 BucketAlreadyExists (not ...OwnedByYou), as if foreign.
    bucket, _ = parse_s3_url(url)
    if bucket_exists(cfg, bucket):
        print("bucket %s already exists" % bucket)
        return
    conn, resp = request(cfg, "PUT", bucket, extra_headers={"content-length": "0"})
    body = resp.read()
    conn.close()
    if resp.status // 100 == 2:
        print("created bucket %s" % bucket)
    elif resp.status == 409 and bucket_exists(cfg, bucket):  # lost a race
        print("bucket %s already exists" % bucket)
    else:
        raise _fail("CreateBucket %s" % bucket, resp, body)


def cmd_rm(cfg: dict, url: str) -> None:
    bucket, key = parse_s3_url(url)
    conn, resp = request(cfg, "DELETE", bucket, key)
    body = resp.read()
    conn.close()
    if resp.status // 100 != 2:
        raise _fail("DELETE %s" % url, resp, body)
    print("deleted %s" % url)


def cmd_probe(cfg: dict, url: str) -> None:
    bucket, _ = parse_s3_url(url)
    key = ".sluice-probe/%s" % os.urandom(8).hex()
    data = os.urandom(1024)
    conn, resp = request(cfg, "PUT", bucket, key, body=data,
                         payload_hash=hashlib.sha256(data).hexdigest(),
                         extra_headers={"content-length": str(len(data))})
    body = resp.read()
    conn.close()
    if resp.status // 100 != 2:
        raise _fail("probe PUT", resp, body)
    conn, resp = request(cfg, "GET", bucket, key)
    body = resp.read()
    conn.close()
    if resp.status != 200 or body != data:
        raise S3Error("probe GET returned HTTP %d / %d bytes (wrote %d)" % (resp.status, len(body), len(data)))
    conn, resp = request(cfg, "DELETE", bucket, key)
    body = resp.read()
    conn.close()
    if resp.status // 100 != 2:
        raise _fail("probe DELETE", resp, body)
    print("probe ok: s3://%s is writable" % bucket)


def cmd_check_auth(cfg: dict, url: str) -> None:
    bucket, _ = parse_s3_url(url)
    conn, resp = request(cfg, "GET", bucket, query={"list-type": "2"}, signed=False)
    body = resp.read()
    conn.close()
    if resp.status != 403:
        raise _fail("auth check: unsigned ListObjectsV2 should be refused with 403 but", resp, body)
    n = sum(1 for _ in list_keys(cfg, bucket, ""))
    print("auth ok: unsigned request refused (403), signed ListObjectsV2 ok (%d keys)" % n)


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 2 and argv[0] == "--list":
            cmd_list(config(), argv[1])
        elif len(argv) == 3 and argv[0] == "--get":
            cmd_get(config(), argv[1], argv[2])
        elif len(argv) == 2 and argv[0] == "--mb":
            cmd_mb(config(), argv[1])
        elif len(argv) == 2 and argv[0] == "--rm":
            cmd_rm(config(), argv[1])
        elif len(argv) == 2 and argv[0] == "--probe":
            cmd_probe(config(), argv[1])
        elif len(argv) == 2 and argv[0] == "--check-auth":
            cmd_check_auth(config(), argv[1])
        elif len(argv) == 2 and not argv[0].startswith("-"):
            if not os.path.isfile(argv[0]):
                raise S3Error("no such file: %s" % argv[0])
            cmd_put(config(), argv[0], argv[1])
        else:
            sys.stderr.write(__doc__)
            return 2
    except BrokenPipeError:  # e.g. `--list ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except S3Error as e:
        sys.stderr.write("s3put: %s\n" % e)
        return 1
    except OSError as e:  # connection refused, disk errors, ...
        sys.stderr.write("s3put: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
