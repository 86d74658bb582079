CREATE OR REPLACE MACRO marts.cheapest_gpus(model, n, kind := 'on_demand', any_model := false) AS TABLE
SELECT o.*,
       CAST(ceil(n / o.gpu_count) AS BIGINT) AS instances,
       ceil(n / o.gpu_count) * o.gpu_count AS gpus_rented,
       ceil(n / o.gpu_count) * o.price_per_hour_usd AS total_price_per_hour_usd,
       ceil(n / o.gpu_count) * o.price_per_hour_usd / n AS price_per_needed_gpu_hour_usd
FROM marts.gpu_rental_options o
WHERE (any_model OR marts.gpu_family_match(o.gpu_model, model)) AND o.pricing = kind
ORDER BY total_price_per_hour_usd, instances, o.provider, o.region, o.instance_type;
COMMENT ON MACRO TABLE marts.cheapest_gpus IS 'Cheapest places to rent n GPUs of a model (or its variants) today: select * from marts.cheapest_gpus(''H100'', 16) (kind := ''spot'' for spot; any_model := true for every GPU model). instances = whole instances needed, gpus_rented may exceed n, total_price_per_hour_usd = instances x instance price, price_per_needed_gpu_hour_usd = total / n.';
