;; Dense float64 kernels for the probes, two lanes at a time (WebAssembly SIMD, f64x2).
;; Pointers are byte offsets into the imported memory; n and dim count doubles. Every loop handles
;; an odd tail with scalar code, so any length is valid.
(module
  (import "env" "memory" (memory 1))

  ;; sum of both lanes
  (func $hsum (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  ;; p . q over n doubles
  (func (export "dot") (param $p i32) (param $q i32) (param $n i32) (result f64)
    (local $a0 v128) (local $a1 v128) (local $end i32) (local $s f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $main
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $main)))
    (local.set $s (call $hsum (f64x2.add (local.get $a0) (local.get $a1))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 3))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $p)) (f64.load (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (br $tail)))
    (local.get $s))

  ;; y += a * x over n doubles
  (func (export "axpy") (param $a f64) (param $x i32) (param $y i32) (param $n i32)
    (local $va v128) (local $end i32)
    (local.set $va (f64x2.splat (local.get $a)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $main
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y))
          (f64x2.mul (local.get $va) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $main)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (local.get $y) (f64.add (f64.load (local.get $y))
        (f64.mul (local.get $a) (f64.load (local.get $x))))))))

  ;; y += a0 x0 + a1 x1 + a2 x2 + a3 x3 over n doubles: one load and store of y for four rows
  (func (export "axpy4")
    (param $a0 f64) (param $a1 f64) (param $a2 f64) (param $a3 f64)
    (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $y i32) (param $n i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $i i32) (local $end i32)
    (local.set $v0 (f64x2.splat (local.get $a0)))
    (local.set $v1 (f64x2.splat (local.get $a1)))
    (local.set $v2 (f64x2.splat (local.get $a2)))
    (local.set $v3 (f64x2.splat (local.get $a3)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $done
      (loop $main
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $y) (local.get $i))
          (f64x2.add (v128.load (i32.add (local.get $y) (local.get $i)))
            (f64x2.add
              (f64x2.add (f64x2.mul (local.get $v0) (v128.load (i32.add (local.get $x0) (local.get $i))))
                         (f64x2.mul (local.get $v1) (v128.load (i32.add (local.get $x1) (local.get $i)))))
              (f64x2.add (f64x2.mul (local.get $v2) (v128.load (i32.add (local.get $x2) (local.get $i))))
                         (f64x2.mul (local.get $v3) (v128.load (i32.add (local.get $x3) (local.get $i))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $main)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (i32.add (local.get $y) (local.get $i))
        (f64.add (f64.load (i32.add (local.get $y) (local.get $i)))
          (f64.add
            (f64.add (f64.mul (local.get $a0) (f64.load (i32.add (local.get $x0) (local.get $i))))
                     (f64.mul (local.get $a1) (f64.load (i32.add (local.get $x1) (local.get $i)))))
            (f64.add (f64.mul (local.get $a2) (f64.load (i32.add (local.get $x2) (local.get $i))))
                     (f64.mul (local.get $a3) (f64.load (i32.add (local.get $x3) (local.get $i)))))))))))

  ;; the eight dot products of rows xa, xb with the four consecutive rows of w (each dim doubles),
  ;; written to out as [xa.w0, xa.w1, xa.w2, xa.w3, xb.w0, xb.w1, xb.w2, xb.w3]: each load of w
  ;; serves both rows and each load of a row serves four weight rows
  (func (export "dots2x4") (param $xa i32) (param $xb i32) (param $w i32) (param $dim i32) (param $out i32)
    (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $i i32) (local $end i32)
    (local $va v128) (local $vb v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $sa f64) (local $sb f64) (local $e0 f64) (local $e1 f64) (local $e2 f64) (local $e3 f64)
    (local.set $w1 (i32.add (local.get $w) (i32.shl (local.get $dim) (i32.const 3))))
    (local.set $w2 (i32.add (local.get $w1) (i32.shl (local.get $dim) (i32.const 3))))
    (local.set $w3 (i32.add (local.get $w2) (i32.shl (local.get $dim) (i32.const 3))))
    (local.set $end (i32.shl (i32.and (local.get $dim) (i32.const -2)) (i32.const 3)))
    (block $done
      (loop $main
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $va (v128.load (i32.add (local.get $xa) (local.get $i))))
        (local.set $vb (v128.load (i32.add (local.get $xb) (local.get $i))))
        (local.set $c0 (v128.load (i32.add (local.get $w) (local.get $i))))
        (local.set $c1 (v128.load (i32.add (local.get $w1) (local.get $i))))
        (local.set $c2 (v128.load (i32.add (local.get $w2) (local.get $i))))
        (local.set $c3 (v128.load (i32.add (local.get $w3) (local.get $i))))
        (local.set $p0 (f64x2.add (local.get $p0) (f64x2.mul (local.get $va) (local.get $c0))))
        (local.set $p1 (f64x2.add (local.get $p1) (f64x2.mul (local.get $va) (local.get $c1))))
        (local.set $p2 (f64x2.add (local.get $p2) (f64x2.mul (local.get $va) (local.get $c2))))
        (local.set $p3 (f64x2.add (local.get $p3) (f64x2.mul (local.get $va) (local.get $c3))))
        (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $vb) (local.get $c0))))
        (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $vb) (local.get $c1))))
        (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $vb) (local.get $c2))))
        (local.set $q3 (f64x2.add (local.get $q3) (f64x2.mul (local.get $vb) (local.get $c3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $main)))
    (if (i32.and (local.get $dim) (i32.const 1))
      (then
        (local.set $sa (f64.load (i32.add (local.get $xa) (local.get $i))))
        (local.set $sb (f64.load (i32.add (local.get $xb) (local.get $i))))
        (local.set $e0 (f64.load (i32.add (local.get $w) (local.get $i))))
        (local.set $e1 (f64.load (i32.add (local.get $w1) (local.get $i))))
        (local.set $e2 (f64.load (i32.add (local.get $w2) (local.get $i))))
        (local.set $e3 (f64.load (i32.add (local.get $w3) (local.get $i))))))
    (f64.store offset=0 (local.get $out) (f64.add (call $hsum (local.get $p0)) (f64.mul (local.get $sa) (local.get $e0))))
    (f64.store offset=8 (local.get $out) (f64.add (call $hsum (local.get $p1)) (f64.mul (local.get $sa) (local.get $e1))))
    (f64.store offset=16 (local.get $out) (f64.add (call $hsum (local.get $p2)) (f64.mul (local.get $sa) (local.get $e2))))
    (f64.store offset=24 (local.get $out) (f64.add (call $hsum (local.get $p3)) (f64.mul (local.get $sa) (local.get $e3))))
    (f64.store offset=32 (local.get $out) (f64.add (call $hsum (local.get $q0)) (f64.mul (local.get $sb) (local.get $e0))))
    (f64.store offset=40 (local.get $out) (f64.add (call $hsum (local.get $q1)) (f64.mul (local.get $sb) (local.get $e1))))
    (f64.store offset=48 (local.get $out) (f64.add (call $hsum (local.get $q2)) (f64.mul (local.get $sb) (local.get $e2))))
    (f64.store offset=56 (local.get $out) (f64.add (call $hsum (local.get $q3)) (f64.mul (local.get $sb) (local.get $e3)))))
)
