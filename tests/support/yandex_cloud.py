"""A local Yandex Cloud for tests: the SDK's own generated gRPC servicers over real TLS.

It serves what the compute backend and the official `yandexcloud` SDK use: endpoint
discovery (ApiEndpointService), IAM tokens for a signed service-account JWT (checked
against the key's public half), images by family, instances and operations. It records
every request. A created instance is a "machine" that really runs: the job manifest in its
cloud-init user-data is executed by `python -m worker.vm_agent` in a child process, so the
whole round trip (presigned URLs, progress, checkpoints, outputs) goes through the real S3
server. What it skips is the start script's installation of the runner wheel: the child
runs with this checkout's Python and packages.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from yandex.cloud.compute.v1 import (
    image_pb2,
    image_service_pb2_grpc,
    instance_pb2,
    instance_service_pb2,
    instance_service_pb2_grpc,
)
from yandex.cloud.endpoint import (
    api_endpoint_pb2,
    api_endpoint_service_pb2,
    api_endpoint_service_pb2_grpc,
)
from yandex.cloud.iam.v1 import iam_token_service_pb2, iam_token_service_pb2_grpc
from yandex.cloud.operation import operation_pb2, operation_service_pb2_grpc

from worker.compute.yandex.userdata import manifest_of

ROOT = Path(__file__).resolve().parents[2]
IMAGE_FOLDER = "standard-images"
IMAGE_ID = "fd8gpuubuntu0000001"
DISCOVERED = ("compute", "operation", "iam", "resource-manager", "endpoint")
LIST_PAGE = 2  # small pages, so that a client must follow next_page_token


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def self_signed_localhost() -> tuple[bytes, bytes]:
    """A certificate for localhost (its own root) and its private key, PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def authorized_key(path: Path, service_account_id: str = "ajeworker0000000001") -> bytes:
    """Write a service-account authorized key like `yc iam key create` does; its public
    key (PEM), which the fake IAM checks the SDK's signed JWTs against."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = {
        "id": "ajekey00000000000001",
        "service_account_id": service_account_id,
        "created_at": "2026-12-05T00:00:00Z",
        "key_algorithm": "RSA_2048",
        "public_key": public.decode(),
        "private_key": private,
    }
    path.write_text(json.dumps(body))
    return public


@dataclass
class FakeMachine:
    """An instance and, once it is running, the process that is its job."""

    instance: instance_pb2.Instance
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def stop_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class FakeYandexCloud:
    """The cloud's state and the requests it received, shared by its servicers."""

    workdir: Path
    folder_id: str
    image_family: str
    public_key: bytes
    key_id: str = "ajekey00000000000001"
    service_account_id: str = "ajeworker0000000001"
    endpoint: str = ""
    ca_pem: bytes = b""
    requests: list[tuple[str, Message]] = field(default_factory=list)
    machines: dict[str, FakeMachine] = field(default_factory=dict)
    operations: dict[str, operation_pb2.Operation] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)  # instances made by Create, in order
    refuse: str | None = None  # a quota message: Create answers RESOURCE_EXHAUSTED with it
    most_at_once: int = 0  # the most machines made by Create that existed at one time
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- what tests look at and do ------------------------------------------------------

    def calls(self, method: str) -> list[Any]:
        with self.lock:
            return [request for name, request in self.requests if name == method]

    def status(self, instance_id: str) -> str | None:
        with self.lock:
            machine = self.machines.get(instance_id)
            return (
                None
                if machine is None
                else instance_pb2.Instance.Status.Name(machine.instance.status)
            )

    def add_instance(
        self, labels: dict[str, str], age: dt.timedelta = dt.timedelta(0), status: str = "RUNNING"
    ) -> str:
        """An instance that is just there (left by someone else, or by a crashed worker)."""
        instance = instance_pb2.Instance(
            id="fhm" + secrets.token_hex(8),
            folder_id=self.folder_id,
            labels=labels,
            status=instance_pb2.Instance.Status.Value(status),
        )
        instance.created_at.FromDatetime(dt.datetime.now(dt.UTC) - age)
        with self.lock:
            self.machines[instance.id] = FakeMachine(instance, self.workdir / instance.id)
        return instance.id

    def preempt(self, instance_id: str) -> None:
        """What the cloud does to a preemptible machine it reclaims: kills it, STOPPED."""
        with self.lock:
            machine = self.machines[instance_id]
            machine.stop_process()
            machine.instance.status = instance_pb2.Instance.STOPPED

    def created_ids(self) -> list[str]:
        with self.lock:
            return list(self.created)

    def running_ids(self) -> list[str]:
        """Machines whose job process runs."""
        with self.lock:
            return [i for i, m in self.machines.items() if m.process and m.process.poll() is None]

    def shutdown(self) -> None:
        with self.lock:
            for machine in self.machines.values():
                machine.stop_process()

    # -- behind the servicers -------------------------------------------------------------

    def authorize(self, context: grpc.ServicerContext) -> None:
        metadata = dict(context.invocation_metadata())
        token = str(metadata.get("authorization", "")).removeprefix("Bearer ")
        if token not in self.tokens:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no valid IAM token")

    def record(self, method: str, request: Message) -> None:
        with self.lock:
            copy = type(request)()
            copy.CopyFrom(request)
            self.requests.append((method, copy))

    def operation(self, description: str, metadata: Message, done: bool) -> operation_pb2.Operation:
        op = operation_pb2.Operation(
            id="op" + secrets.token_hex(8),
            description=description,
            created_at=_now(),
            created_by=self.service_account_id,
            modified_at=_now(),
            done=done,
        )
        op.metadata.Pack(metadata)
        with self.lock:
            self.operations[op.id] = op
        return op

    def boot(self, instance_id: str) -> None:
        """The machine runs its user-data: the job manifest, through the job agent."""
        with self.lock:
            machine = self.machines[instance_id]
            manifest_path = machine.folder / "job.json"
            manifest_path.parent.mkdir(parents=True, exist_ok=True)
            manifest_path.write_text(
                json.dumps(manifest_of(machine.instance.metadata["user-data"]))
            )
            log = (machine.folder / "agent.log").open("wb")
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            machine.process = subprocess.Popen(
                [sys.executable, "-m", "worker.vm_agent", str(manifest_path)],
                cwd=machine.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            machine.instance.status = instance_pb2.Instance.RUNNING


class Endpoints(api_endpoint_service_pb2_grpc.ApiEndpointServiceServicer):
    def __init__(self, cloud: FakeYandexCloud) -> None:
        self.cloud = cloud

    def List(self, request: Any, context: Any) -> Any:
        self.cloud.record("ApiEndpointService.List", request)
        return api_endpoint_service_pb2.ListApiEndpointsResponse(
            endpoints=[
                api_endpoint_pb2.ApiEndpoint(id=name, address=self.cloud.endpoint)
                for name in DISCOVERED
            ]
        )


class Iam(iam_token_service_pb2_grpc.IamTokenServiceServicer):
    def __init__(self, cloud: FakeYandexCloud) -> None:
        self.cloud = cloud

    def Create(self, request: Any, context: Any) -> Any:
        self.cloud.record("IamTokenService.Create", request)
        if not request.jwt:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "only service-account JWTs here")
        try:
            header = jwt.get_unverified_header(request.jwt)
            claims = jwt.decode(
                request.jwt,
                self.cloud.public_key,
                algorithms=["PS256"],
                audience=f"https://iam.{self.cloud.endpoint}/iam/v1/tokens",
            )
        except jwt.PyJWTError as exc:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, f"bad JWT: {exc}")
        if header.get("kid") != self.cloud.key_id or claims["iss"] != self.cloud.service_account_id:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown key or service account")
        token = "t1." + secrets.token_urlsafe(24)
        self.cloud.tokens.add(token)
        expires = timestamp_pb2.Timestamp()
        expires.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=12))
        return iam_token_service_pb2.CreateIamTokenResponse(iam_token=token, expires_at=expires)


class Images(image_service_pb2_grpc.ImageServiceServicer):
    def __init__(self, cloud: FakeYandexCloud) -> None:
        self.cloud = cloud

    def GetLatestByFamily(self, request: Any, context: Any) -> Any:
        self.cloud.authorize(context)
        self.cloud.record("ImageService.GetLatestByFamily", request)
        if request.folder_id != IMAGE_FOLDER or request.family != self.cloud.image_family:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no image of family {request.family}")
        return image_pb2.Image(id=IMAGE_ID, folder_id=IMAGE_FOLDER, family=request.family)


class Instances(instance_service_pb2_grpc.InstanceServiceServicer):
    def __init__(self, cloud: FakeYandexCloud) -> None:
        self.cloud = cloud

    def _machine(self, instance_id: str, context: Any) -> FakeMachine:
        machine = self.cloud.machines.get(instance_id)
        if machine is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"instance {instance_id} not found")
        assert machine is not None  # abort raised
        return machine

    def Create(self, request: Any, context: Any) -> Any:
        cloud = self.cloud
        cloud.authorize(context)
        cloud.record("InstanceService.Create", request)
        if request.folder_id != cloud.folder_id:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "not your folder")
        if cloud.refuse:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, cloud.refuse)
        if request.boot_disk_spec.disk_spec.image_id != IMAGE_ID:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unknown boot image")
        instance = instance_pb2.Instance(
            id="fhm" + secrets.token_hex(8),
            folder_id=request.folder_id,
            created_at=_now(),
            name=request.name,
            labels=request.labels,
            zone_id=request.zone_id,
            platform_id=request.platform_id,
            resources=instance_pb2.Resources(
                memory=request.resources_spec.memory,
                cores=request.resources_spec.cores,
                gpus=request.resources_spec.gpus,
            ),
            status=instance_pb2.Instance.PROVISIONING,
            metadata=request.metadata,
            scheduling_policy=request.scheduling_policy,
        )
        with cloud.lock:
            cloud.machines[instance.id] = FakeMachine(instance, cloud.workdir / instance.id)
            cloud.created.append(instance.id)
            alive = sum(1 for i in cloud.created if i in cloud.machines)
            cloud.most_at_once = max(cloud.most_at_once, alive)
        metadata = instance_service_pb2.CreateInstanceMetadata(instance_id=instance.id)
        return cloud.operation(f"Create instance {instance.id}", metadata, done=False)

    def Get(self, request: Any, context: Any) -> Any:
        self.cloud.authorize(context)
        self.cloud.record("InstanceService.Get", request)
        with self.cloud.lock:
            copy = instance_pb2.Instance()
            copy.CopyFrom(self._machine(request.instance_id, context).instance)
        return copy

    def List(self, request: Any, context: Any) -> Any:
        self.cloud.authorize(context)
        self.cloud.record("InstanceService.List", request)
        with self.cloud.lock:
            everything = [
                m.instance
                for m in self.cloud.machines.values()
                if m.instance.folder_id == request.folder_id
            ]
        start = int(request.page_token or 0)
        page = everything[start : start + LIST_PAGE]
        more = start + LIST_PAGE < len(everything)
        return instance_service_pb2.ListInstancesResponse(
            instances=page, next_page_token=str(start + LIST_PAGE) if more else ""
        )

    def Delete(self, request: Any, context: Any) -> Any:
        cloud = self.cloud
        cloud.authorize(context)
        cloud.record("InstanceService.Delete", request)
        with cloud.lock:
            machine = self._machine(request.instance_id, context)
            machine.stop_process()
            del cloud.machines[request.instance_id]
        metadata = instance_service_pb2.DeleteInstanceMetadata(instance_id=request.instance_id)
        return cloud.operation(f"Delete instance {request.instance_id}", metadata, done=True)


class Operations(operation_service_pb2_grpc.OperationServiceServicer):
    """Operations finish on their first look; a create boots its machine then."""

    def __init__(self, cloud: FakeYandexCloud) -> None:
        self.cloud = cloud

    def Get(self, request: Any, context: Any) -> Any:
        cloud = self.cloud
        cloud.authorize(context)
        cloud.record("OperationService.Get", request)
        with cloud.lock:
            op = cloud.operations.get(request.operation_id)
            if op is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "no such operation")
            assert op is not None  # abort raised
            if not op.done:
                created = instance_service_pb2.CreateInstanceMetadata()
                op.metadata.Unpack(created)
                if created.instance_id in cloud.machines:
                    cloud.boot(created.instance_id)
                    op.response.Pack(cloud.machines[created.instance_id].instance)
                else:
                    op.error.CopyFrom(status_pb2.Status(code=code_pb2.ABORTED, message="gone"))
                op.done = True
            copy = operation_pb2.Operation()
            copy.CopyFrom(op)
        return copy


@contextmanager
def running_yandex_cloud(
    workdir: Path, folder_id: str, image_family: str, public_key: bytes
) -> Iterator[FakeYandexCloud]:
    """The fake cloud on localhost over TLS; its `endpoint` and `ca_pem` for the SDK."""
    cloud = FakeYandexCloud(workdir, folder_id, image_family, public_key)
    cert, key = self_signed_localhost()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    servicers: list[tuple[Callable[[Any, grpc.Server], None], type[Any]]] = [
        (api_endpoint_service_pb2_grpc.add_ApiEndpointServiceServicer_to_server, Endpoints),
        (iam_token_service_pb2_grpc.add_IamTokenServiceServicer_to_server, Iam),
        (image_service_pb2_grpc.add_ImageServiceServicer_to_server, Images),
        (instance_service_pb2_grpc.add_InstanceServiceServicer_to_server, Instances),
        (operation_service_pb2_grpc.add_OperationServiceServicer_to_server, Operations),
    ]
    for add, servicer in servicers:  # calls a servicer leaves out answer UNIMPLEMENTED
        add(servicer(cloud), server)
    port = server.add_secure_port("localhost:0", grpc.ssl_server_credentials([(key, cert)]))
    cloud.endpoint, cloud.ca_pem = f"localhost:{port}", cert
    server.start()
    try:
        yield cloud
    finally:
        server.stop(grace=None)
        cloud.shutdown()
