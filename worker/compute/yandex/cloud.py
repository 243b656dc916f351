"""Yandex Compute Cloud through the official SDK: create, watch, list and delete machines.

Authenticates with the service-account authorized key (the SDK exchanges a signed JWT for
IAM tokens), discovers the service endpoints from the configured API endpoint, and waits
on each operation. Every machine it creates carries labels naming the service, the job,
the job's attempt and the machine record, which is all the reaper goes by.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import yandexcloud
from yandex.cloud.compute.v1.image_service_pb2 import GetImageLatestByFamilyRequest
from yandex.cloud.compute.v1.image_service_pb2_grpc import ImageServiceStub
from yandex.cloud.compute.v1.instance_pb2 import Instance, SchedulingPolicy
from yandex.cloud.compute.v1.instance_service_pb2 import (
    AttachedDiskSpec,
    CreateInstanceMetadata,
    CreateInstanceRequest,
    DeleteInstanceRequest,
    GetInstanceRequest,
    ListInstancesRequest,
    NetworkInterfaceSpec,
    PrimaryAddressSpec,
    ResourcesSpec,
)
from yandex.cloud.compute.v1.instance_service_pb2_grpc import InstanceServiceStub
from yandex.cloud.operation.operation_pb2 import Operation
from yandexcloud.operations import OperationError

from backend.yandex_settings import YandexSettings

log = logging.getLogger(__name__)

GIB = 1 << 30
OPERATION_TIMEOUT_S = 600
LABEL_SERVICE = "konstruktor"
LABEL_JOB = "konstruktor-job"
LABEL_ATTEMPT = "konstruktor-attempt"
LABEL_MACHINE = "konstruktor-machine"


class CloudError(Exception):
    """Yandex Cloud refused or failed a request; the message says what it answered."""


@dataclass(frozen=True)
class Machine:
    """A machine as the cloud reports it."""

    id: str
    status: str  # Instance.Status name: PROVISIONING, RUNNING, STOPPED, ...
    labels: dict[str, str]
    created_at: datetime


def _machine(instance: Instance) -> Machine:
    created = datetime.fromtimestamp(instance.created_at.seconds, UTC)
    return Machine(
        instance.id, Instance.Status.Name(instance.status), dict(instance.labels), created
    )


def _described(exc: grpc.RpcError) -> str:
    code = exc.code() if hasattr(exc, "code") else None
    details = exc.details() if hasattr(exc, "details") else str(exc)
    return f"{code.name if code else 'error'}: {details}"


class YandexCloud:
    """The folder's machines, as the configured service account may see and change them."""

    def __init__(self, settings: YandexSettings) -> None:
        self.settings = settings
        roots = settings.ca_file.read_bytes() if settings.ca_file else None
        self.sdk = yandexcloud.SDK(
            service_account_key=settings.authorized_key,
            endpoint=settings.api_endpoint,
            root_certificates=roots,
            user_agent="konstruktor",
        )
        self.instances = self.sdk.client(InstanceServiceStub)
        self._image_id: str | None = None

    def wait(self, operation: Operation, what: str) -> None:
        """Wait for the operation to finish; CloudError if it failed."""
        try:
            self.sdk.wait_operation_and_get_result(operation, timeout=OPERATION_TIMEOUT_S)
        except OperationError as exc:
            raise CloudError(f"{what} failed: {exc.message}") from exc
        except grpc.RpcError as exc:
            raise CloudError(f"{what}: {_described(exc)}") from exc

    def image_id(self) -> str:
        """The newest image of the configured family (looked up once)."""
        if self._image_id is None:
            images = self.sdk.client(ImageServiceStub)
            request = GetImageLatestByFamilyRequest(
                folder_id=self.settings.image_folder_id, family=self.settings.image_family
            )
            try:
                self._image_id = images.GetLatestByFamily(request).id
            except grpc.RpcError as exc:
                raise CloudError(
                    f"no image of family {self.settings.image_family!r} in folder "
                    f"{self.settings.image_folder_id}: {_described(exc)}"
                ) from exc
        return self._image_id

    def request(self, name: str, labels: dict[str, str], user_data: str) -> CreateInstanceRequest:
        """The machine the settings describe, labelled, running `user_data` at boot."""
        s = self.settings
        return CreateInstanceRequest(
            folder_id=s.folder_id,
            name=name,
            description="a Konstruktor job runner (deleted when its job ends)",
            labels={LABEL_SERVICE: s.label, **labels},
            zone_id=s.zone,
            platform_id=s.platform,
            resources_spec=ResourcesSpec(memory=s.memory_gb * GIB, cores=s.cores, gpus=s.gpus),
            metadata={"user-data": user_data},
            boot_disk_spec=AttachedDiskSpec(
                auto_delete=True,
                disk_spec=AttachedDiskSpec.DiskSpec(
                    type_id=s.disk_type, size=s.disk_gb * GIB, image_id=self.image_id()
                ),
            ),
            network_interface_specs=[
                NetworkInterfaceSpec(
                    subnet_id=s.subnet_id, primary_v4_address_spec=PrimaryAddressSpec()
                )
            ],
            scheduling_policy=SchedulingPolicy(preemptible=s.preemptible),
            service_account_id=s.service_account_id or "",
        )

    def create(self, request: CreateInstanceRequest) -> tuple[str, Operation]:
        """Start creating the machine: its id, as soon as the cloud names it (the caller
        records it at once, so that it is deleted whatever happens next), and the operation
        to `wait` for."""
        try:
            operation = self.instances.Create(request)
        except grpc.RpcError as exc:
            raise CloudError(f"Yandex Cloud refused the machine: {_described(exc)}") from exc
        metadata = CreateInstanceMetadata()
        operation.metadata.Unpack(metadata)
        return str(metadata.instance_id), operation

    def get(self, instance_id: str) -> Machine | None:
        """The machine, or None when it no longer exists."""
        try:
            return _machine(self.instances.Get(GetInstanceRequest(instance_id=instance_id)))
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise CloudError(f"reading machine {instance_id}: {_described(exc)}") from exc

    def delete(self, instance_id: str) -> None:
        """Delete the machine and wait until it is gone; a machine already gone is fine."""
        try:
            operation = self.instances.Delete(DeleteInstanceRequest(instance_id=instance_id))
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return
            raise CloudError(f"deleting machine {instance_id}: {_described(exc)}") from exc
        self.wait(operation, f"deleting machine {instance_id}")

    def ours(self) -> Iterator[Machine]:
        """Every machine in the folder labelled as this service's (no other is ever touched)."""
        token = ""
        while True:
            try:
                page = self.instances.List(
                    ListInstancesRequest(folder_id=self.settings.folder_id, page_token=token)
                )
            except grpc.RpcError as exc:
                raise CloudError(f"listing machines: {_described(exc)}") from exc
            for instance in page.instances:
                if instance.labels.get(LABEL_SERVICE) == self.settings.label:
                    yield _machine(instance)
            if not page.next_page_token:
                return
            token = page.next_page_token
