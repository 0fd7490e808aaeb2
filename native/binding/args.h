// Argument readers for the bindings: each checks one JS value and throws a JS
// TypeError or RangeError naming the op and the argument (better-sqlite3's macros).
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace striate::binding {

inline Napi::Value arg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  if (i >= info.Length())
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": missing argument " + name);
  return info[i];
}

inline float* float_array(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                          int64_t min_length) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be a Float32Array");
  auto array = v.As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) < min_length)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + name + " has " +
                                                std::to_string(array.ElementLength()) + " elements, needs " +
                                                std::to_string(min_length));
  return array.Data();
}

// A typed array of exactly `length` elements: a shorter output would be overrun and a
// longer one half-written, either a caller's bug.
template <typename Element, napi_typedarray_type kType>
Element* exact_array(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, const char* type_name,
                     int64_t length) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != kType)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be " + type_name);
  auto array = v.As<Napi::TypedArrayOf<Element>>();
  if (static_cast<int64_t>(array.ElementLength()) != length)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + name + " has " +
                                                std::to_string(array.ElementLength()) + " elements, expected " +
                                                std::to_string(length));
  return array.Data();
}

inline float* exact_floats(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, int64_t length) {
  return exact_array<float, napi_float32_array>(info, i, op, name, "a Float32Array", length);
}

inline double* exact_doubles(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                             int64_t length) {
  return exact_array<double, napi_float64_array>(info, i, op, name, "a Float64Array", length);
}

inline int32_t* exact_int32s(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                             int64_t length) {
  return exact_array<int32_t, napi_int32_array>(info, i, op, name, "an Int32Array", length);
}

inline int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                       int64_t min_value = 0) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d == std::floor(d)) || d < static_cast<double>(min_value) || d > 9007199254740991.0)
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + name + " must be an integer >= " +
                                                std::to_string(min_value) + ", got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

inline float number(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be a number");
  return v.As<Napi::Number>().FloatValue();
}

inline bool boolean(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  Napi::Value v = arg(info, i, op, name);
  if (!v.IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// Elements a row-major [rows, cols] view with leading dimension ld spans.
inline int64_t span(int64_t rows, int64_t cols, int64_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

}  // namespace striate::binding
