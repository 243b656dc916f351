// An image the service serves only to its owner: fetched with the token header (an <img src>
// cannot send it) and shown from an object URL, released when the image goes away.
import { useEffect, useState, type ImgHTMLAttributes } from "react";
import { authorizedFetch } from "../api/client";

export function AuthImage({ src, alt, ...rest }: { src: string; alt: string } & ImgHTMLAttributes<HTMLImageElement>) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | null = null;
    const controller = new AbortController();
    authorizedFetch(src, { signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        objectUrl = URL.createObjectURL(await response.blob());
        setUrl(objectUrl);
      })
      .catch(() => {
        if (!controller.signal.aborted) setFailed(true);
      });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [src]);
  if (failed) return <span className="muted">{alt}</span>;
  if (!url) return <span className="muted" aria-busy="true" />;
  return <img src={url} alt={alt} {...rest} />;
}
