"""Which offers can run a workload: what links an offer's GPUs, what class of offer it is, and who can train or serve.

Every price row (the columns of core.gpu_prices / marts.latest_gpu_prices) is classified into

    marketplace_single   one GPU of a marketplace (a median over independent hosts' offers, offer_count of them)
    instance_single_gpu  a rentable machine with one GPU (or a fraction of one)
    multi_gpu_instance   a machine with several GPUs but no multi-node cluster product behind it
    cluster_node         a whole multi-GPU node with a fast link between its GPUs (NVLink/NVSwitch, Infinity Fabric)
                         from a provider that sells multi-node clusters of it over a fabric (InfiniBand, EFA, RoCE, ...)
    tpu_slice            a Google TPU slice (chips on one ICI torus, priced per chip)

with gpus_per_instance, gpu_memory_gb (gpu_specs), interconnect_intra (nvswitch, nvlink, xgmi, pcie, ici, none) and
interconnect_inter (infiniband, efa, roce, ici, ethernet, none) from the cited family table
(assets/reference/data/instance_interconnect.csv: provider + instance-type regular expression). An offer the table
does not know falls back to what its GPU model implies (gpu_specs.intra_node_link: SXM parts link over NVLink, PCIe
cards over PCIe) with no cluster fabric, and `interconnect_basis` says so.

Training needs a cluster: only cluster_node offers and TPU slices are eligible, and the cluster priced must hold the
training state (weights, gradients and optimizer state, sharded across it: TRAINING_STATE_BYTES_PER_PARAM).
Serving needs a replica: an offer is eligible for a replica of r GPUs when an instance has at least r GPUs (or, past
one node, when it is a cluster node or TPU slice that pipelines across nodes over its fabric).
"""

from __future__ import annotations

import math
import re

import polars as pl

OFFER_CLASSES = ("marketplace_single", "instance_single_gpu", "multi_gpu_instance", "cluster_node", "tpu_slice")
TRAINING_CLASSES = ("cluster_node", "tpu_slice")
# Links fast enough for tensor parallelism inside a node (hundreds of GB/s per GPU); PCIe is an order of magnitude
# slower (32-128 GB/s).
FAST_INTRA = ("nvswitch", "nvlink", "xgmi", "ici")
MARKETPLACE_PROVIDERS = ("vast",)
MARKETPLACE_INSTANCE_PREFIXES = ("community:",)  # RunPod Community Cloud: independent hosts

# Mixed-precision Adam keeps, per parameter: BF16 weights (2 bytes) and gradients (2), FP32 master weights (4) and
# the two FP32 Adam moments (4 + 4) = 16 bytes (Rajbhandari et al. 2020, ZeRO, section 3.1: "16 bytes of memory per
# parameter"). Sharded across the cluster (ZeRO-3 / FSDP) this is the floor; FP32 gradient accumulation makes it 20,
# and activations come on top (checkpointed, they are small next to the state at these model sizes), so 16 is the
# lowest cluster that can hold the run.
TRAINING_STATE_BYTES_PER_PARAM = 16.0
# Share of a GPU's memory a framework can fill with model state: the rest is the CUDA/XLA context, communication
# buffers, activations and allocator slack (vLLM's default gpu_memory_utilization is 0.90).
USABLE_MEMORY_FRACTION = 0.90

OFFER_COLUMNS = {
    "offer_class": pl.String,
    "gpus_per_instance": pl.Float64,
    "gpu_memory_gb": pl.Float64,
    "interconnect_intra": pl.String,
    "interconnect_inter": pl.String,
    "inter_node_gbps": pl.Float64,
    "multi_node_clusters": pl.Boolean,
    "max_cluster_gpus": pl.Float64,
    "interconnect_basis": pl.String,
}


def _interconnect_rows(interconnect: pl.DataFrame | None) -> list[dict]:
    if interconnect is None or interconnect.is_empty():
        return []
    return [
        {**r, "provider": r["provider"].lower(), "_re": re.compile(r["instance_pattern"])}
        for r in interconnect.iter_rows(named=True)
    ]


def _match(rows: list[dict], provider: str | None, instance_type: str | None) -> dict | None:
    """The first family row of the provider whose pattern is found in the instance type."""
    if provider is None or instance_type is None:
        return None
    for r in rows:
        if r["provider"] == provider.lower() and r["_re"].search(instance_type):
            return r
    return None


def _classify_one(offer: dict, gpu: dict | None, family: dict | None) -> dict:
    gpus = offer.get("gpu_count")
    if gpus is None and family is not None:
        gpus = family.get("gpus_per_instance")
    gpus = float(gpus) if gpus is not None else 1.0
    model = offer.get("gpu_model") or ""
    spec_link = (gpu or {}).get("intra_node_link") or "pcie"
    is_tpu = model.startswith("TPU-") or (gpu or {}).get("vendor") == "Google"
    if family is not None:
        intra = (family.get("interconnect_intra") or spec_link) if gpus >= 2 or is_tpu else "none"
        inter = family.get("interconnect_inter") or "none"
        multi = bool(family.get("multi_node_clusters"))
        basis = f"instance_interconnect.csv ({family['provider']} {family['instance_pattern']}): {family['source']}"
        if not family.get("interconnect_intra"):
            basis += f"; GPU link from the GPU model ({(gpu or {}).get('form_factor') or 'form factor'}: {intra})"
        max_gpus = family.get("max_cluster_gpus")
        gbps = family.get("inter_node_gbps")
    else:
        intra = ("ici" if is_tpu else spec_link) if gpus >= 2 or is_tpu else "none"
        inter, multi, max_gpus, gbps = ("ici", True, None, None) if is_tpu else ("none", False, None, None)
        basis = (
            f"GPU model: {(gpu or {}).get('form_factor') or 'unknown form factor'} implies {intra} between GPUs; "
            f"no row for {offer.get('provider')} {offer.get('instance_type')} in instance_interconnect.csv, "
            "so no cluster fabric is assumed"
        )
    provider = (offer.get("provider") or "").lower()
    instance = offer.get("instance_type") or ""
    if is_tpu:
        cls = "tpu_slice"
    elif provider in MARKETPLACE_PROVIDERS or instance.startswith(MARKETPLACE_INSTANCE_PREFIXES):
        cls = "marketplace_single"
    elif gpus < 2:
        cls = "instance_single_gpu"
    elif multi and intra in FAST_INTRA and inter != "none":
        cls = "cluster_node"
    else:
        cls = "multi_gpu_instance"
    memory = (gpu or {}).get("memory_gb")
    return {
        "offer_class": cls,
        "gpus_per_instance": gpus,
        "gpu_memory_gb": None if memory is None else memory * min(gpus, 1.0),
        "interconnect_intra": intra,
        "interconnect_inter": inter,
        "inter_node_gbps": gbps,
        "multi_node_clusters": multi,
        "max_cluster_gpus": max_gpus,
        "interconnect_basis": basis,
    }


def classify_offers(prices: pl.DataFrame, specs: pl.DataFrame, interconnect: pl.DataFrame | None) -> pl.DataFrame:
    """Every price row with its offer class, GPUs per instance, GPU memory and interconnect (see the module doc).

    gpu_memory_gb is per GPU (a fractional GPU gets its share). Rows keep every column they had.
    """
    families = _interconnect_rows(interconnect)
    spec_rows = {r["gpu_model"]: r for r in specs.iter_rows(named=True)}
    keys = ["provider", "instance_type", "gpu_model", "gpu_count"]
    present = [k for k in keys if k in prices.columns]
    distinct = prices.select(present).unique()
    classified = [
        {
            **{k: row.get(k) for k in present},
            **_classify_one(
                row,
                spec_rows.get(row.get("gpu_model")),
                _match(families, row.get("provider"), row.get("instance_type")),
            ),
        }
        for row in distinct.iter_rows(named=True)
    ]
    schema = {**{k: prices.schema[k] for k in present}, **OFFER_COLUMNS}
    table = pl.DataFrame(classified, schema=schema)
    return prices.drop([c for c in OFFER_COLUMNS if c in prices.columns]).join(
        table, on=present, how="left", nulls_equal=True
    )


def interconnect_text(intra, inter):
    """'nvswitch + infiniband': the link inside a node and between nodes, as one label (expressions or strings)."""
    if isinstance(intra, pl.Expr) or isinstance(inter, pl.Expr):
        return pl.format("{} + {}", intra, inter)
    return f"{intra} + {inter}"


def min_gpus_to_hold(total_bytes, memory_gb_per_gpu, usable_fraction: float = USABLE_MEMORY_FRACTION):
    """GPUs whose usable memory holds `total_bytes` (a float or a polars expression)."""
    if isinstance(total_bytes, pl.Expr) or isinstance(memory_gb_per_gpu, pl.Expr):
        return (total_bytes / (memory_gb_per_gpu * 1e9 * usable_fraction)).ceil()
    return math.ceil(total_bytes / (memory_gb_per_gpu * 1e9 * usable_fraction) - 1e-9)


def training_state_bytes(params_total, bytes_per_param: float = TRAINING_STATE_BYTES_PER_PARAM):
    """Weights + gradients + optimizer state of a run, in bytes."""
    return params_total * bytes_per_param


def training_cluster_gpus(params_total: float, memory_gb_per_gpu: float, gpus_per_instance: float) -> int:
    """The smallest whole-node cluster that holds the training state, sharded (ZeRO-3 / FSDP)."""
    need = min_gpus_to_hold(training_state_bytes(params_total), memory_gb_per_gpu)
    node = max(1, int(gpus_per_instance))
    return int(math.ceil(need / node) * node)


def training_eligible(offers: pl.DataFrame) -> pl.DataFrame:
    """Classified whole-instance offers that can train across nodes: cluster nodes and TPU slices."""
    return offers.filter(
        pl.col("offer_class").is_in(TRAINING_CLASSES)
        & (pl.col("price_basis") == "instance")
        & pl.col("gpu_memory_gb").is_not_null()
    )


def with_training_cluster(rows: pl.DataFrame) -> pl.DataFrame:
    """Add training_state_bytes, training_gpus_min (whole nodes holding it) and whether the offer's largest cluster
    (a TPU slice's ICI domain) can hold it: `training_fits`. Needs params_total, gpu_memory_gb, gpus_per_instance.
    """
    node = pl.max_horizontal(pl.col("gpus_per_instance").floor(), pl.lit(1.0))
    need = min_gpus_to_hold(training_state_bytes(pl.col("params_total")), pl.col("gpu_memory_gb"))
    return rows.with_columns(
        training_state_bytes(pl.col("params_total")).alias("training_state_bytes"),
        ((need / node).ceil() * node).cast(pl.Int64).alias("training_gpus_min"),
    ).with_columns(
        (pl.col("max_cluster_gpus").is_null() | (pl.col("training_gpus_min") <= pl.col("max_cluster_gpus"))).alias(
            "training_fits"
        )
    )


def training_exclusions(models: pl.DataFrame, offers: pl.DataFrame) -> pl.DataFrame:
    """Why a model cannot be trained on a GPU model from today's offers: one row per (model, gpu_model) with no
    eligible offer, with the reason (for the mart's check). `offers` are classified price rows of known GPU models.
    """
    runs = models.filter(pl.col("training_tokens").is_not_null()).select("model", "params_total")
    known = offers.filter(pl.col("gpu_model").is_not_null() & (pl.col("price_basis") == "instance"))
    rows = []
    by_gpu = known.partition_by("gpu_model", as_dict=True) if known.height else {}
    for m in runs.iter_rows(named=True):
        for (gpu_model,), group in by_gpu.items():
            reason = _training_reason(m["params_total"], group)
            if reason is not None:
                rows.append({"model": m["model"], "gpu_model": gpu_model, "workload": "training", "reason": reason})
    return pl.DataFrame(
        rows, schema={"model": pl.String, "gpu_model": pl.String, "workload": pl.String, "reason": pl.String}
    ).sort("model", "gpu_model")


def _training_reason(params_total: float, group: pl.DataFrame) -> str | None:
    eligible = training_eligible(group)
    if eligible.is_empty():
        classes = group.group_by("offer_class").len().sort("offer_class")
        found = ", ".join(f"{n} {c}" for c, n in classes.iter_rows())
        return f"no cluster-capable offer (cluster node or TPU slice): only {found}"
    sized = with_training_cluster(eligible.with_columns(pl.lit(params_total).alias("params_total")))
    if not sized["training_fits"].any():
        r = sized.row(0, named=True)
        return (
            f"the training state ({params_total * TRAINING_STATE_BYTES_PER_PARAM / 1e12:.2f} TB at "
            f"{TRAINING_STATE_BYTES_PER_PARAM:g} bytes/param) needs {r['training_gpus_min']} chips, more than one "
            f"ICI slice holds ({r['max_cluster_gpus']:.0f})"
        )
    return None
