-- "H100" names the family: H100 itself and every variant named H100-... (H100-SXM, H100-PCIe, H100-NVL).
CREATE OR REPLACE MACRO marts.gpu_family_match(gpu_model, wanted) AS
    lower(gpu_model) = lower(wanted) OR starts_with(lower(gpu_model), lower(wanted) || '-');
COMMENT ON MACRO marts.gpu_family_match IS 'True when gpu_model is the wanted model or one of its variants (wanted ''H100'' matches H100-SXM, H100-PCIe and H100-NVL; ''A100-80GB'' matches A100-80GB and A100-80GB-PCIe). Case-insensitive.';
